import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake answers to one chat completion request. */
export type FakeReply =
  /** A well-formed completion whose message content is this value as JSON. */
  | { kind: 'json'; content: unknown }
  /** A well-formed completion whose message content is this text as it is (malformed JSON, say). */
  | { kind: 'text'; content: string }
  /** A model refusal (`message.refusal`, no content). */
  | { kind: 'refusal' }
  /** An error status with an OpenAI-style error body. */
  | { kind: 'status'; status: number }
  /** Never answers: the request hangs until the client gives up or the fake is closed. */
  | { kind: 'hang' }
  /** Sends 200 and its headers and the first bytes of a completion, then nothing more: a stalled body. */
  | { kind: 'stall' }
  /** Waits `ms`, then answers as `then` says: a slow model. */
  | { kind: 'slow'; ms: number; then: FakeReply };

export const reply = {
  events: (...events: unknown[]): FakeReply => ({ kind: 'json', content: { events } }),
  json: (content: unknown): FakeReply => ({ kind: 'json', content }),
  text: (content: string): FakeReply => ({ kind: 'text', content }),
  refusal: (): FakeReply => ({ kind: 'refusal' }),
  status: (status: number): FakeReply => ({ kind: 'status', status }),
  hang: (): FakeReply => ({ kind: 'hang' }),
  stall: (): FakeReply => ({ kind: 'stall' }),
  slow: (ms: number, then: FakeReply): FakeReply => ({ kind: 'slow', ms, then }),
};

/** Answers a request from what it says (the prompt, the schema), when no scripted reply is queued. */
export type Responder = (request: RecordedRequest) => FakeReply;

/** What the fake answers to one `POST /v1/audio/transcriptions`. */
export type FakeTranscript =
  /** `{ "text": ... }`, as Whisper answers with `response_format: json`. */
  { kind: 'text'; text: string } | { kind: 'status'; status: number } | { kind: 'hang' };

export const transcript = {
  text: (text: string): FakeTranscript => ({ kind: 'text', text }),
  status: (status: number): FakeTranscript => ({ kind: 'status', status }),
  hang: (): FakeTranscript => ({ kind: 'hang' }),
};

/** The formats OpenAI's transcription endpoint takes, told by the file name's extension. */
const TRANSCRIBABLE_EXTENSIONS = ['flac', 'mp3', 'mp4', 'mpeg', 'mpga', 'm4a', 'ogg', 'wav', 'webm'];

/** One transcription request, as the multipart form arrived. */
export interface RecordedTranscription {
  authorization: string | undefined;
  fields: Record<string, string>;
  file: { name: string; type: string; bytes: Buffer };
}

/** One request the fake received: the parsed body and the headers that matter. */
export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  body: {
    model: string;
    messages: { role: string; content: string }[];
    response_format?: { type: string; json_schema: { name: string; strict: boolean; schema: JsonSchema } };
    [key: string]: unknown;
  };
  /** The whole body as it came over the wire, for "never contains" checks. */
  raw: string;
}

export interface JsonSchema {
  [key: string]: unknown;
}

/**
 * A local OpenAI-compatible server for tests: `POST /v1/chat/completions` answers from a script
 * (one reply per request, in order; then the responder's answer, else `{ events: [] }`) and records every
 * request, so tests drive the real openai SDK through real HTTP. `POST /v1/audio/transcriptions`
 * reads the SDK's multipart upload as OpenAI does (a file in a format it takes, and a model) and
 * answers from its own script (`scriptTranscripts`).
 *
 * @example
 * const fake = await startFakeOpenAI();
 * fake.script(reply.status(500), reply.events({ type: 'HELP' }));
 * new OpenAI({ baseURL: fake.baseURL, apiKey: 'test' });
 */
export async function startFakeOpenAI() {
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  let responder: Responder | undefined;
  const transcripts: FakeTranscript[] = [];
  const transcriptions: RecordedTranscription[] = [];

  const server = createServer(async function fakeOpenAI(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'POST' && req.url === '/v1/audio/transcriptions') {
      return transcribe(req, Buffer.concat(chunks), res);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return send(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'not_found' } });
    }
    const request = { path: req.url, authorization: req.headers.authorization, body: JSON.parse(raw), raw };
    requests.push(request);
    let next = queue.shift() ?? responder?.(request) ?? reply.events();
    while (next.kind === 'slow') {
      const { ms, then } = next;
      await new Promise((resolve) => setTimeout(resolve, ms));
      next = then;
    }
    switch (next.kind) {
      case 'hang':
        return;
      case 'stall':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"chatcmpl-fake","object":"chat.completion","choices":[');
        return;
      case 'status':
        return send(res, next.status, { error: { message: `scripted ${next.status}`, type: 'server_error' } });
      case 'refusal':
        return send(res, 200, completion({ content: null, refusal: 'I cannot help with that.' }));
      case 'json':
        return send(res, 200, completion({ content: JSON.stringify(next.content), refusal: null }));
      case 'text':
        return send(res, 200, completion({ content: next.content, refusal: null }));
    }
  });
  /** Reads the multipart form as OpenAI does: a file with a known extension and a model, or a 400. */
  async function transcribe(req: IncomingMessage, body: Buffer, res: ServerResponse) {
    let form: FormData;
    try {
      form = await new Request('http://fake/', {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body,
      }).formData();
    } catch {
      return send(res, 400, {
        error: { message: 'expected a multipart/form-data body', type: 'invalid_request_error' },
      });
    }
    const file = form.get('file');
    const fields = Object.fromEntries([...form.entries()].flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));
    if (!(file instanceof File) || !fields.model) {
      return send(res, 400, { error: { message: 'file and model are required', type: 'invalid_request_error' } });
    }
    const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
    if (!TRANSCRIBABLE_EXTENSIONS.includes(extension)) {
      return send(res, 400, {
        error: {
          message: `Invalid file format. Supported formats: ${JSON.stringify(TRANSCRIBABLE_EXTENSIONS)}`,
          type: 'invalid_request_error',
        },
      });
    }
    transcriptions.push({
      authorization: req.headers.authorization,
      fields,
      file: { name: file.name, type: file.type, bytes: Buffer.from(await file.arrayBuffer()) },
    });
    const next = transcripts.shift() ?? transcript.text('');
    switch (next.kind) {
      case 'hang':
        return;
      case 'status':
        return send(res, next.status, { error: { message: `scripted ${next.status}`, type: 'server_error' } });
      case 'text':
        return send(res, 200, { text: next.text });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    /** Transcription requests received, with their form fields and the file uploaded. */
    transcriptions,
    /** Queues the answers to the next transcription requests, in order (`{ text: "" }` once they run out). */
    scriptTranscripts(...answers: FakeTranscript[]) {
      transcripts.push(...answers);
    },
    /** Queues the replies to the next requests, in order. */
    script(...replies: FakeReply[]) {
      queue.push(...replies);
    },
    /** Answers every request the script does not, from the request itself (a hostile model, say). */
    respond(answer: Responder | undefined) {
      responder = answer;
    },
    async close() {
      // Hanging requests hold their sockets open; close() alone would wait for them forever.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

export type FakeOpenAI = Awaited<ReturnType<typeof startFakeOpenAI>>;

function completion(message: { content: string | null; refusal: string | null }) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 0,
    model: 'fake-model',
    choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', ...message } }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
