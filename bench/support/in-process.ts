import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ShopConfig } from '../../config/schema.ts';
import { createCita } from '../../src/cita.ts';
import type { Interpreter } from '../../src/interpreter/port.ts';
import { type OutboundMessage, optionsOf } from '../../src/messages/whatsapp.ts';

/** Tuesday 24 November 2026, 10:00 in Madrid: the instant the tests and the corpus are written for. */
export const SCRIPT_NOW = '2026-11-24T09:00:00Z';

/**
 * cita in this process with its embedded adapters (memory inbox and conversations, a calendar
 * file in a temporary directory) and a fixed clock: scripted conversations give the same result
 * on every run.
 */
export function inProcessCita(shop: ShopConfig, interpreter?: Interpreter) {
  const clock = () => new Date(SCRIPT_NOW);
  return createCita({
    shop,
    clock,
    dataDir: mkdtempSync(join(tmpdir(), 'cita-bench-')),
    workers: 1,
    adapters: interpreter ? { interpreter } : {},
  });
}

export type InProcessCita = ReturnType<typeof inProcessCita>;

/** One customer's side of a chat: types, or taps an option of the last replies by its id. */
export function chat(cita: InProcessCita, phone: string) {
  let last: OutboundMessage[] = [];
  return {
    get last() {
      return last;
    },
    get offered(): string[] {
      return last.flatMap(optionsOf).map((option) => option.id);
    },
    async say(text: string) {
      last = await cita.converse(phone, { kind: 'text', text });
      return last;
    },
    /** Taps an option the bot just offered; an id it did not offer is an error, as on a real phone. */
    async tap(id: string) {
      const option = last.flatMap(optionsOf).find((o) => o.id === id);
      if (!option) throw new Error(`"${id}" was not offered; the last replies offered ${JSON.stringify(this.offered)}`);
      last = await cita.converse(phone, { kind: 'reply', replyId: id, title: option.title });
      return last;
    },
    /** The machine state the conversation rests in. */
    async state(): Promise<string | undefined> {
      const { conversation } = await cita.conversations.load(phone);
      return (conversation?.snapshot as { value?: string } | undefined)?.value;
    },
  };
}
