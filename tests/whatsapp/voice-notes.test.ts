import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiTranscriber } from '../../adapters/transcription/openai-transcriber.ts';
import { WhatsAppMedia } from '../../adapters/whatsapp/media.ts';
import type { Transcriber } from '../../src/engine/ports.ts';
import { MAX_VOICE_NOTE_BYTES } from '../../src/engine/voice-notes.ts';
import { en } from '../../src/messages/en.ts';
import { es } from '../../src/messages/es.ts';
import { createApp } from '../../src/server/app.ts';
import { captureLogs } from '../ops/support.ts';
import { stateOf, testCita } from '../support/cita.ts';
import { type FakeGraphApi, type RecordedRequest, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { type FakeOpenAI, startFakeOpenAI, transcript } from '../support/fake-openai.ts';
import { APP_SECRET, fixture, signedPost, textMessage, turnTracking, VERIFY_TOKEN } from './helpers.ts';

/**
 * Voice notes and reactions through WhatsApp from end to end: signed webhook payloads (Meta's own,
 * from tests/fixtures/whatsapp) in; the real media download from a fake Graph API, the real openai
 * SDK's multipart upload to a fake transcription server, and the replies at the fake Graph API.
 */

const ACCESS_TOKEN = 'EAAG-test-token';
const PHONE_NUMBER_ID = '106540352242922';
const TRANSCRIPTION_KEY = 'test-transcription-key';
const CARLOS = '34600000001';
/** An opus voice note's first bytes ("OggS…"): the fakes only pass them along. */
const VOICE_BYTES = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(2_000, 7)]);

let graph: FakeGraphApi;
let openai: FakeOpenAI;
const running: { stop(): Promise<void> }[] = [];
beforeEach(async () => {
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  openai = await startFakeOpenAI();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((cita) => cita.stop()));
  await graph.close();
  await openai.close();
});

/** cita with WhatsApp pointed at the fake Graph API and, unless `transcriber: null`, transcription at the fake OpenAI. */
function whatsAppCita({ transcriber }: { transcriber?: Transcriber | null } = {}) {
  const { messenger, turnDone } = turnTracking(graph.messenger());
  const media = new WhatsAppMedia({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID, apiBaseUrl: graph.url });
  const hearing =
    transcriber === null
      ? undefined
      : (transcriber ??
        new OpenAiTranscriber({ baseURL: openai.baseURL, apiKey: TRANSCRIPTION_KEY, model: 'whisper-1' }));
  const cita = testCita({ adapters: { messenger, media, ...(hearing ? { transcriber: hearing } : {}) } });
  running.push(cita);
  const app = createApp(cita, { whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } });

  /** Posts a webhook payload as Meta would and returns the messages its turn sent (read receipts left out). */
  async function deliver(payload: { entry: { changes: { value: { messages: { id: string }[] } }[] }[] }) {
    const wamid = payload.entry[0]!.changes[0]!.value.messages[0]!.id;
    const before = graph.requests.length;
    const done = turnDone(wamid);
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));
    expect(response.status).toBe(200);
    await done;
    return graph.requests.slice(before).filter((r) => !isReadReceipt(r));
  }
  return { cita, app, deliver };
}

function isReadReceipt(request: RecordedRequest): boolean {
  return typeof request.body === 'object' && request.body !== null && 'status' in request.body;
}

/** A stored real payload, sent by `phone` with id `wamid`; `edit` changes its message. */
// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited freely, then sent as JSON
function fromFixture(name: string, phone: string, wamid: string, edit: (message: any) => void = () => {}) {
  const payload = fixture(name);
  const value = payload.entry[0].changes[0].value;
  value.contacts = [{ profile: { name: 'Carlos' }, wa_id: phone }];
  const message = value.messages[0];
  Object.assign(message, { from: phone, id: wamid, timestamp: '1795510800' });
  edit(message);
  return payload;
}

function voiceNote(phone: string, wamid: string, mediaId: string, mimeType = 'audio/ogg; codecs=opus') {
  return fromFixture('voice', phone, wamid, (message) =>
    Object.assign(message.audio, { id: mediaId, mime_type: mimeType }),
  );
}

function reaction(phone: string, wamid: string, to: string, emoji = '✅') {
  return fromFixture('reaction', phone, wamid, (message) => Object.assign(message.reaction, { message_id: to, emoji }));
}

/** Everything a turn said, as one string. */
function said(requests: RecordedRequest[]): string {
  return JSON.stringify(requests.map((r) => r.body));
}

/** The wamid of the confirmation question among a turn's messages. */
function questionId(requests: RecordedRequest[]): string {
  const question = requests.find((r) => said([r]).includes('"id":"CONFIRM"'));
  if (!question?.messageId) throw new Error(`no confirmation question in ${said(requests)}`);
  return question.messageId;
}

async function voiceOutcomes(cita: ReturnType<typeof whatsAppCita>['cita']) {
  const { values } = await cita.metrics.voiceNotes.get();
  return Object.fromEntries(values.map((v) => [v.labels.outcome, v.value]));
}

describe('voice notes', () => {
  it('books nothing on a "sí" that a transcription model heard: the customer is asked to tap, and the tap books', async () => {
    const { cita, deliver } = whatsAppCita();
    await deliver(textMessage(CARLOS, 'wamid.T9', 'quiero un corte mañana a las 5'));
    graph.addMedia('media-voice-9', { bytes: VOICE_BYTES, mimeType: 'audio/ogg; codecs=opus' });
    // Words the rules read as yes when typed.
    openai.scriptTranscripts(transcript.text('Sí, perfecto.'));

    const turn = await deliver(voiceNote(CARLOS, 'wamid.V9', 'media-voice-9'));
    expect(said(turn)).toContain(es.notes.tapToConfirm('book', es.buttons.confirm));
    expect(await stateOf(cita, CARLOS)).toBe('confirming');
    expect(await cita.calendar.upcomingFor(CARLOS, new Date('2026-11-24T00:00:00Z'))).toEqual([]);

    expect(said(await deliver(reaction(CARLOS, 'wamid.R9', questionId(turn))))).toContain('¡Cita reservada!');
  });

  it('books from one voice note and a ✅ on the confirmation: "quiero un corte mañana a las cinco de la tarde" lands on 17:00', async () => {
    const { cita, deliver } = whatsAppCita();
    graph.addMedia('media-voice-1', { bytes: VOICE_BYTES, mimeType: 'audio/ogg; codecs=opus' });
    openai.scriptTranscripts(transcript.text('Quiero un corte mañana a las cinco de la tarde.'));

    const turn = await deliver(voiceNote(CARLOS, 'wamid.V1', 'media-voice-1'));
    expect(turn).toHaveLength(1);
    const body = turn[0]!.body as { type: string; interactive: { body: { text: string } } };
    expect(body.type).toBe('interactive');
    expect(body.interactive.body.text).toContain(es.heard('Quiero un corte mañana a las cinco de la tarde.'));
    expect(body.interactive.body.text).toContain('Corte de pelo el miércoles 25 de noviembre a las 17:00');
    expect(await stateOf(cita, CARLOS)).toBe('confirming');

    // The SDK's real multipart upload: the bytes as they came from WhatsApp, named by format, with the language hint.
    expect(openai.transcriptions).toHaveLength(1);
    const [upload] = openai.transcriptions;
    expect(upload!.authorization).toBe(`Bearer ${TRANSCRIPTION_KEY}`);
    expect(upload!.fields).toMatchObject({ model: 'whisper-1', language: 'es', response_format: 'json' });
    expect(upload!.file.name).toBe('voice-note.ogg');
    expect(upload!.file.type).toBe('audio/ogg');
    expect(upload!.file.bytes.equals(VOICE_BYTES)).toBe(true);
    // Both media GETs (the URL, then the file) carried the token.
    expect(graph.mediaRequests.map((r) => [r.status, r.authorization])).toEqual([
      [200, `Bearer ${ACCESS_TOKEN}`],
      [200, `Bearer ${ACCESS_TOKEN}`],
    ]);

    const booked = await deliver(reaction(CARLOS, 'wamid.R1', questionId(turn)));
    expect(said(booked)).toContain('¡Cita reservada!');
    const appointments = await cita.calendar.upcomingFor(CARLOS, new Date('2026-11-24T00:00:00Z'));
    expect(appointments).toMatchObject([{ serviceId: 'corte', start: '2026-11-25T16:00:00.000Z' }]);
    expect(await voiceOutcomes(cita)).toEqual({ transcribed: 1 });
    expect(graph.requests.filter((r) => r.status !== 200)).toEqual([]);
  });

  it('never keeps the audio, and keeps the transcript out of the logs', async () => {
    const { cita, deliver } = whatsAppCita();
    graph.addMedia('media-voice-2', { bytes: VOICE_BYTES, mimeType: 'audio/ogg; codecs=opus' });
    openai.scriptTranscripts(transcript.text('un corte el viernes, soy Eusebio Quintanilla'));
    const logs = captureLogs();
    try {
      await deliver(voiceNote(CARLOS, 'wamid.V2', 'media-voice-2'));
    } finally {
      logs.stop();
    }
    expect(logs.records().some((r) => r.event === 'voice_note.read' && r.outcome === 'transcribed')).toBe(true);
    expect(logs.lines.join('\n')).not.toMatch(/Eusebio|Quintanilla|viernes/);
    const { conversation } = await cita.conversations.load(CARLOS);
    const stored = JSON.stringify(conversation);
    expect(stored).not.toContain('media-voice-2');
    expect(stored).not.toContain(VOICE_BYTES.subarray(4, 40).toString('base64'));
  });

  it('answers in English and hints English to the transcriber in an English conversation', async () => {
    const { deliver } = whatsAppCita();
    await deliver(textMessage(CARLOS, 'wamid.E0', 'hello, I would like to book'));
    graph.addMedia('media-voice-3', { bytes: VOICE_BYTES, mimeType: 'audio/mpeg' });
    openai.scriptTranscripts(transcript.text('a haircut tomorrow at 5 pm'));
    const turn = await deliver(voiceNote(CARLOS, 'wamid.E1', 'media-voice-3', 'audio/mpeg'));
    expect(said(turn)).toContain(en.heard('a haircut tomorrow at 5 pm'));
    expect(said(turn)).toContain('17:00');
    expect(openai.transcriptions[0]!.fields.language).toBe('en');
    expect(openai.transcriptions[0]!.file.name).toBe('voice-note.mp3');
  });

  describe('asks the customer to write, once, keeps their place, and counts why', () => {
    const cases: {
      reason: string;
      setUp: () => void;
      mimeType?: string;
      transcriber?: () => Transcriber;
    }[] = [
      { reason: 'media_expired', setUp: () => {} /* never added: Graph no longer has it */ },
      {
        reason: 'media_expired',
        setUp: () => {
          graph.addMedia('media-x', { bytes: VOICE_BYTES, mimeType: 'audio/ogg' });
          graph.expireMediaUrl('media-x');
        },
      },
      {
        reason: 'too_large',
        setUp: () =>
          graph.addMedia('media-x', { bytes: Buffer.alloc(MAX_VOICE_NOTE_BYTES + 1), mimeType: 'audio/ogg' }),
      },
      { reason: 'unsupported_format', setUp: () => {}, mimeType: 'audio/amr' },
      {
        reason: 'transcription_refused',
        setUp: () => {
          graph.addMedia('media-x', { bytes: VOICE_BYTES, mimeType: 'audio/ogg' });
          openai.scriptTranscripts(transcript.status(400));
        },
      },
      {
        reason: 'transcription_failed',
        setUp: () => {
          graph.addMedia('media-x', { bytes: VOICE_BYTES, mimeType: 'audio/ogg' });
          openai.scriptTranscripts(transcript.status(500), transcript.status(503));
        },
      },
      {
        reason: 'transcription_timeout',
        setUp: () => {
          graph.addMedia('media-x', { bytes: VOICE_BYTES, mimeType: 'audio/ogg' });
          openai.scriptTranscripts(transcript.hang(), transcript.hang());
        },
        transcriber: () =>
          new OpenAiTranscriber({
            baseURL: openai.baseURL,
            apiKey: TRANSCRIPTION_KEY,
            model: 'whisper-1',
            timeoutMs: 200,
          }),
      },
      {
        reason: 'empty_transcript',
        setUp: () => {
          graph.addMedia('media-x', { bytes: VOICE_BYTES, mimeType: 'audio/ogg' });
          openai.scriptTranscripts(transcript.text('  '));
        },
      },
      {
        reason: 'empty_transcript',
        setUp: () => {
          graph.addMedia('media-x', { bytes: VOICE_BYTES, mimeType: 'audio/ogg' });
          // Whisper's words for silence: never read as a message.
          openai.scriptTranscripts(transcript.text('Subtítulos realizados por la comunidad de Amara.org'));
        },
      },
    ];
    it.each(cases)('$reason', async ({ reason, setUp, mimeType, transcriber }) => {
      const { cita, deliver } = whatsAppCita({ transcriber: transcriber?.() });
      await deliver(textMessage(CARLOS, 'wamid.F0', 'quiero un corte'));
      expect(await stateOf(cita, CARLOS)).toBe('choosingDate');
      setUp();

      const turn = await deliver(voiceNote(CARLOS, 'wamid.F1', 'media-x', mimeType ?? 'audio/ogg; codecs=opus'));
      expect(said(turn).split(es.remarks.voiceNoteUnheard).length - 1).toBe(1);
      expect(said(turn)).not.toContain(es.notes.notUnderstood);
      expect(await stateOf(cita, CARLOS)).toBe('choosingDate');
      expect(await voiceOutcomes(cita)).toEqual({ [reason]: 1 });

      // Nothing else is lost: the next message carries on from the same step.
      const next = await deliver(textMessage(CARLOS, 'wamid.F2', 'mañana a las 5'));
      expect(said(next)).toContain('17:00');
      expect(await stateOf(cita, CARLOS)).toBe('confirming');
    });
  });

  it('without transcription, asks politely to write, in the language of the phone when nothing else tells', async () => {
    const { cita, deliver } = whatsAppCita({ transcriber: null });
    const spanish = await deliver(voiceNote(CARLOS, 'wamid.N1', 'media-n'));
    expect(said(spanish)).toContain(es.remarks.voiceNotesOff);
    const english = await deliver(voiceNote('447700900001', 'wamid.N2', 'media-n'));
    expect(said(english)).toContain(en.remarks.voiceNotesOff);
    expect(graph.mediaRequests).toEqual([]);
    expect(await voiceOutcomes(cita)).toEqual({ not_configured: 2 });
  });
});

describe('reactions', () => {
  it('confirms only on the confirmation question last sent, never on an older one, and ignores other emojis', async () => {
    const { cita, deliver, app } = whatsAppCita();
    const first = await deliver(textMessage(CARLOS, 'wamid.T1', 'quiero un corte mañana a las 5'));
    const older = questionId(first);
    // A question while confirming sends the confirmation question again: only this newer one counts now.
    const again = await deliver(textMessage(CARLOS, 'wamid.T2', '¿cuánto cuesta?'));
    const newer = questionId(again);
    expect(newer).not.toBe(older);

    expect(await deliver(reaction(CARLOS, 'wamid.R1', older))).toEqual([]);
    expect(await deliver(reaction(CARLOS, 'wamid.R2', newer, '😮'))).toEqual([]);
    expect(await deliver(reaction(CARLOS, 'wamid.R3', 'wamid.SOMETHING_ELSE', '👍'))).toEqual([]);
    // A reaction taken back (no emoji) is not even accepted.
    const removed = fromFixture('reaction_removed', CARLOS, 'wamid.R4', (m) =>
      Object.assign(m.reaction, { message_id: newer }),
    );
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(removed)));
    expect(await response.json()).toMatchObject({ accepted: 0, ignored: 1 });
    expect(await stateOf(cita, CARLOS)).toBe('confirming');
    expect(await cita.calendar.upcomingFor(CARLOS, new Date('2026-11-24T00:00:00Z'))).toEqual([]);

    const booked = await deliver(reaction(CARLOS, 'wamid.R5', newer, '👍'));
    expect(said(booked)).toContain('¡Cita reservada!');
    // Reacting again to the same question books nothing twice: once booked, a ✅ is thanked.
    expect(said(await deliver(reaction(CARLOS, 'wamid.R6', newer)))).toContain(
      '"body":"¡A ti! Aquí estoy si necesitas algo más."',
    );
    expect(await cita.calendar.upcomingFor(CARLOS, new Date('2026-11-24T00:00:00Z'))).toHaveLength(1);
  });

  it('does not confirm a slot the customer has since changed', async () => {
    const { cita, deliver } = whatsAppCita();
    const at5 = await deliver(textMessage(CARLOS, 'wamid.C1', 'quiero un corte mañana a las 5'));
    await deliver(textMessage(CARLOS, 'wamid.C2', 'mejor a las 6'));
    expect(await deliver(reaction(CARLOS, 'wamid.C3', questionId(at5)))).toEqual([]);
    expect(await cita.calendar.upcomingFor(CARLOS, new Date('2026-11-24T00:00:00Z'))).toEqual([]);
  });
});
