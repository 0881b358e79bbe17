import type { ChildProcess } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { ACCESS_TOKEN, PHONE_NUMBER_ID, whatsAppEnv } from '../ops/support.ts';
import { tempDataDir } from '../support/cita.ts';
import { startFakeGraphApi } from '../support/fake-graph-api.ts';
import { startFakeOpenAI, transcript } from '../support/fake-openai.ts';
import { bodyOf, startServerProcess } from '../support/server-process.ts';
import { fixture, signedPost } from './helpers.ts';

/**
 * The issue's "done when", on `npm start`'s own wiring: a server process configured by the
 * environment alone (WHATSAPP_* at a fake Graph API, TRANSCRIPTION_* at a fake OpenAI) books
 * from one voice note and a ✅ reaction.
 */

const CARLOS = '34600000001';
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited freely, then sent as JSON
function fromFixture(name: string, wamid: string, edit: (message: any) => void) {
  const payload = fixture(name);
  const value = payload.entry[0].changes[0].value;
  // Sent to our own business number: a change for another number is not ours to answer.
  value.metadata.phone_number_id = PHONE_NUMBER_ID;
  value.contacts = [{ profile: { name: 'Carlos' }, wa_id: CARLOS }];
  Object.assign(value.messages[0], { from: CARLOS, id: wamid, timestamp: '1795510800' });
  edit(value.messages[0]);
  return JSON.stringify(payload);
}

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

it('a voice note saying "quiero un corte mañana a las cinco de la tarde" lands on the confirmation at 17:00, and a ✅ books it', async () => {
  const graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  const openai = await startFakeOpenAI();
  try {
    graph.addMedia('media-1', { bytes: Buffer.from('OggS voice note'), mimeType: 'audio/ogg; codecs=opus' });
    openai.scriptTranscripts(transcript.text('quiero un corte mañana a las cinco de la tarde'));
    const server = await startServerProcess({
      PORT: '0',
      CITA_NOW: '2026-11-24T09:00:00Z',
      CITA_DATA_DIR: tempDataDir(),
      LOG_LEVEL: 'info',
      ...whatsAppEnv(graph.url),
      TRANSCRIPTION_API_KEY: 'test-key',
      TRANSCRIPTION_BASE_URL: openai.baseURL,
      TRANSCRIPTION_MODEL: 'whisper-large-v3-turbo',
    });
    children.push(server.child);
    const post = (body: string) => fetch(`${server.url}/webhook/whatsapp`, signedPost(body));

    expect((await post(fromFixture('voice', 'wamid.V', (m) => (m.audio.id = 'media-1')))).status).toBe(200);
    const question = await until('the confirmation question', () =>
      graph.requests.find((r) => r.messageId && JSON.stringify(r.body).includes('"id":"CONFIRM"')),
    );
    const text = bodyOf(question.body as never);
    expect(text).toContain('He entendido: «quiero un corte mañana a las cinco de la tarde»');
    expect(text).toContain('a las 17:00');
    expect(openai.transcriptions[0]?.fields).toMatchObject({ model: 'whisper-large-v3-turbo', language: 'es' });

    const reacted = fromFixture('reaction', 'wamid.R', (m) =>
      Object.assign(m.reaction, { message_id: question.messageId, emoji: '✅' }),
    );
    expect((await post(reacted)).status).toBe(200);
    const booked = await until('the booking', () => graph.messages.find((m) => bodyOf(m).includes('¡Cita reservada!')));
    expect(bodyOf(booked)).toContain('a las 17:00');
  } finally {
    await graph.close();
    await openai.close();
  }
});
