import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import type { CloudApiMessage } from './fake-graph-api.ts';

const MAIN = fileURLToPath(new URL('../../src/server/main.ts', import.meta.url));

/**
 * Starts `npm start`'s entry point as a real process with only `env` (and PATH), and resolves once
 * it listens. It runs in `cwd`, by default an empty folder, so a developer's own `.env` stays out
 * of the tests. The caller kills it: `child.kill('SIGKILL')` in its clean-up.
 */
export async function startServerProcess(
  env: Record<string, string>,
  { cwd = mkdtempSync(join(tmpdir(), 'cita-cwd-')) }: { cwd?: string } = {},
): Promise<{ child: ChildProcess; url: string; host: string; logs: string[] }> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd,
  });
  let buffered = '';
  /** Every log line the server printed, as it prints them. */
  const logs: string[] = [];
  const { port, host } = await new Promise<{ port: number; host: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
    // Read to the end, so the server never blocks on a full pipe.
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      logs.push(...lines);
      for (const line of lines) {
        if (line.includes('"server.listening"')) resolve(JSON.parse(line) as { port: number; host: string });
      }
    });
  });
  // Listening on every interface ("::"), it answers on the loopback address too.
  const reachable = host === '::' || host === '0.0.0.0' ? '127.0.0.1' : host;
  return { child, url: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`, host, logs };
}

/** The text a customer reads in one message, whatever its shape. */
export function bodyOf(message: CloudApiMessage | OutboundMessage): string {
  if ('kind' in message) return message.body;
  if (message.type === 'text') return message.text.body;
  if (message.type === 'interactive') return message.interactive.body.text;
  return message.type;
}
