import { describe, expect, it } from 'vitest';
import { RedisInbox } from '../../adapters/redis/inbox.ts';
import { SqliteInbox } from '../../adapters/sqlite/inbox.ts';
import { SqliteTranscripts } from '../../adapters/sqlite/transcripts.ts';
import type { ConversationEngine } from '../../src/engine/conversation.ts';
import type { InboundMessage, Inbox, Messenger } from '../../src/engine/ports.ts';
import { transcriptRecorder } from '../../src/engine/transcript.ts';
import { HAND_BACK_AFTER_MS, startWorkers } from '../../src/engine/worker.ts';
import { implementations, redisRun } from '../redis/implementations.ts';
import { citaPerTest, customer } from '../support/cita.ts';
import { memoryDatabase, sharedDatabase } from '../support/sqlite.ts';

const run = await redisRun();
const start = citaPerTest();

function message(id: string, phone = '34600000001'): InboundMessage {
  return {
    id,
    shop: 'default',
    phone,
    receivedAt: '2026-11-24T09:00:00.000Z',
    content: { kind: 'text', text: 'hola' },
  };
}

describe('read receipts', () => {
  it('marks a channel message read before it is handled, then sends the replies', async () => {
    const calls: string[] = [];
    let sent!: () => void;
    const replied = new Promise<void>((resolve) => {
      sent = resolve;
    });
    const cita = start({
      adapters: {
        messenger: {
          async markRead(id) {
            const { conversation } = await cita.conversations.load('34600000001');
            calls.push(`read ${id} (conversation saved: ${conversation !== undefined})`);
          },
          async send(_phone, replies, inReplyTo) {
            calls.push(`send ${replies.length > 0 ? 'replies' : 'nothing'} to ${inReplyTo}`);
            sent();
          },
        } satisfies Messenger,
      },
    });
    await cita.inbox.accept(message('wamid.READ'));
    await replied;
    expect(calls).toEqual(['read wamid.READ (conversation saved: false)', 'send replies to wamid.READ']);
  });

  it('never asks WhatsApp to mark a simulator message read', async () => {
    const read: string[] = [];
    const cita = start({
      adapters: { messenger: { markRead: async (id) => void read.push(id), send: async () => {} } },
    });
    await customer(cita).say('hola');
    expect(read).toEqual([]);
  });
});

describe('the transcript', () => {
  it('keeps what the customer wrote before the replies to it, and when the message is given up on', async () => {
    const database = memoryDatabase();
    const transcripts = new SqliteTranscripts(database);
    const transcript = transcriptRecorder(transcripts, () => new Date('2026-11-24T09:00:00Z'));
    const inbox = new SqliteInbox(database);
    const engine = {
      handle: async ({ id }: InboundMessage) => {
        if (id === 'wamid.FAILS') throw new Error('the calendar is down');
        return [{ kind: 'text', body: 'Hola' }];
      },
    } as unknown as ConversationEngine;
    const messenger: Messenger = {
      send: async (phone, replies, inReplyTo) => transcript.said(phone, replies, inReplyTo),
    };
    const workers = startWorkers({ inbox, shops: () => ({ engine, messenger, transcript }), concurrency: 2 });
    await inbox.accept(message('wamid.ANSWERED'));
    await inbox.accept(message('wamid.FAILS', '34600000002'));
    const ids = async (phone: string) => (await transcripts.read(phone)).map(({ entry }) => entry.id);
    const deadline = Date.now() + 10_000;
    while ((await ids('34600000002')).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await workers.stop();
    expect(await ids('34600000001')).toEqual(['wamid.ANSWERED', 'wamid.ANSWERED:0']);
    expect(await ids('34600000002')).toEqual(['wamid.FAILS']);
  });
});

describe.each(
  implementations<{ inbox: Inbox; other?: Inbox }>(
    () => {
      const [one, two] = sharedDatabase(2);
      return { inbox: new SqliteInbox(one!), other: new SqliteInbox(two!) };
    },
    (redis) => {
      const prefix = redis.prefix();
      return {
        inbox: new RedisInbox(redis.connection(), { prefix }),
        other: new RedisInbox(redis.redis.connect(), { prefix }),
      };
    },
    run,
  ),
)('stopping the workers ($name)', ({ make }) => {
  it('hands a message still unfinished after the grace time back, claimable once this process has had time to exit', async () => {
    const { inbox, other } = make();
    let handling!: () => void;
    const started = new Promise<void>((resolve) => {
      handling = resolve;
    });
    const stuck = {
      handle: () => {
        handling();
        return new Promise(() => {});
      },
    } as unknown as ConversationEngine;
    const workers = startWorkers({ inbox, engine: stuck, messenger: { send: async () => {} }, concurrency: 1 });
    await inbox.accept(message('wamid.STUCK'));
    await started;
    expect(workers.inFlight).toBe(1);

    await workers.stop({ graceMs: 20 });

    if (other) {
      // Still this process's for a moment, so a send under way here cannot cross the next one's…
      expect(await other.claim()).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, HAND_BACK_AFTER_MS + 200));
    }
    // …then another process takes it, without waiting out a full lease.
    expect((await (other ?? inbox).claim())?.id).toBe('wamid.STUCK');
    expect(workers.inFlight).toBe(0);
  });

  it('finishes a message in hand within the grace time and acknowledges it', async () => {
    const { inbox, other } = make();
    let release!: () => void;
    const slow = {
      handle: () => new Promise((resolve) => (release = () => resolve([]))),
    } as unknown as ConversationEngine;
    const sent: string[] = [];
    const workers = startWorkers({
      inbox,
      engine: slow,
      messenger: { send: async (_phone, _replies, inReplyTo) => void sent.push(inReplyTo!) },
      concurrency: 1,
    });
    await inbox.accept(message('wamid.SLOW'));
    while (!release) await new Promise((resolve) => setTimeout(resolve, 5));
    const stopping = workers.stop({ graceMs: 10_000 });
    release();
    await stopping;
    expect(sent).toEqual(['wamid.SLOW']);
    expect(await (other ?? inbox).claim()).toBeUndefined();
  });
});
