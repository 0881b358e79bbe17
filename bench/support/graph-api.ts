import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudApiMessage } from '../../tests/support/fake-graph-api.ts';

export const GRAPH_ACCESS_TOKEN = 'bench-access-token';
export const GRAPH_PHONE_NUMBER_ID = '106540352242922';

/** A message cita sent, as the Cloud API received it. */
export interface SentToCustomer {
  phone: string;
  message: CloudApiMessage;
  /** performance.now() when the request arrived. */
  at: number;
}

export interface GraphApiCounts {
  messages: number;
  reads: number;
  /** Requests Meta would refuse (bad token, path or shape): each is a bug in cita. */
  refused: number;
}

/** How long Meta takes to answer a send (100–300 ms measured): `BENCH_GRAPH_LATENCY_MS`, default 150. */
export const GRAPH_LATENCY_MS = Number(process.env.BENCH_GRAPH_LATENCY_MS ?? 150);

/**
 * The Graph API's `POST /{version}/{phone-number-id}/messages` for benchmarks: checks the token,
 * the path and the message shapes with the test suite's schema (what Meta refuses), answers after
 * `latencyMs` as Meta does, and hands every message to `onMessage` with its arrival time, so a
 * benchmark can tell when each reply left cita. `stall()` holds every answer until `release()`: a
 * Meta that hangs.
 *
 * @example
 * const graph = await startBenchGraphApi((sent) => customers.get(sent.phone)?.receive(sent), { latencyMs: 150 });
 */
export async function startBenchGraphApi(
  onMessage: (sent: SentToCustomer) => void = () => {},
  { latencyMs = 0, anyNumber = false }: { latencyMs?: number; anyNumber?: boolean } = {},
) {
  const counts: GraphApiCounts = { messages: 0, reads: 0, refused: 0 };
  const refusals: string[] = [];
  let stalled: (() => void)[] | undefined;
  // Many shops: every shop's number sends through the one Graph API.
  const number = anyNumber ? '\\d+' : GRAPH_PHONE_NUMBER_ID;
  const path = new RegExp(`^/v\\d+\\.\\d+/${number}/messages$`);
  const mediaPath = new RegExp(`^/v\\d+\\.\\d+/${number}/media$`);
  let uploads = 0;

  function reply(res: ServerResponse, status: number, body: unknown): void {
    const send = () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (stalled) stalled.push(send);
    else if (latencyMs > 0) setTimeout(send, latencyMs);
    else send();
  }

  function refuse(res: ServerResponse, why: string): void {
    counts.refused += 1;
    if (refusals.length < 20) refusals.push(why);
    reply(res, 400, { error: { message: why, type: 'OAuthException', code: 100, fbtrace_id: 'BENCH' } });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const at = performance.now();
    // A calendar file going up before its document message: answered with a media id, as Meta does.
    if (req.method === 'POST' && mediaPath.test(req.url ?? '')) {
      uploads += 1;
      return reply(res, 200, { id: `bench-media-${uploads}` });
    }
    if (req.method !== 'POST' || !path.test(req.url ?? '')) return refuse(res, `unknown path ${req.url}`);
    if (req.headers.authorization !== `Bearer ${GRAPH_ACCESS_TOKEN}`) return refuse(res, 'wrong access token');
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return refuse(res, 'body is not JSON');
    }
    if (typeof body === 'object' && body !== null && 'status' in body) {
      counts.reads += 1;
      return reply(res, 200, { success: true });
    }
    const parsed = CloudApiMessage.safeParse(body);
    if (!parsed.success) return refuse(res, `invalid message: ${parsed.error.message.slice(0, 300)}`);
    counts.messages += 1;
    const phone = parsed.data.to ?? parsed.data.recipient ?? '';
    onMessage({ phone, message: parsed.data, at });
    reply(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: phone, wa_id: phone }],
      messages: [{ id: `wamid.BENCH${counts.messages}` }],
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    refusals,
    /** From now on, requests wait for `release()`. */
    stall(): void {
      stalled ??= [];
    },
    /** Answers every held request and stops holding. */
    release(): void {
      const held = stalled ?? [];
      stalled = undefined;
      for (const send of held) send();
    },
    close(): Promise<void> {
      this.release();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type BenchGraphApi = Awaited<ReturnType<typeof startBenchGraphApi>>;
