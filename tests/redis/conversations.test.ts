import { describe, expect, it } from 'vitest';
import { RedisConversationStore } from '../../adapters/redis/conversations.ts';
import { RedisInbox } from '../../adapters/redis/inbox.ts';
import { redisKeys } from '../../adapters/redis/keys.ts';
import { SqliteConversationStore } from '../../adapters/sqlite/conversations.ts';
import type { ConversationStore, StoredConversation } from '../../src/engine/ports.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { implementations, redisRun, sleep } from './implementations.ts';

const run = await redisRun();

const conversation = (state: string, lastMessageId?: string): StoredConversation => ({
  machineVersion: 1,
  snapshot: { value: state, context: { language: 'es', serviceId: 'corte' } },
  lastMessageId,
  replies: [{ kind: 'text', body: `now ${state}` }],
  turns: [],
});

describe.each(
  implementations<ConversationStore>(
    () => new SqliteConversationStore(memoryDatabase()),
    ({ connection, prefix }) => new RedisConversationStore(connection(), { prefix: prefix() }),
    run,
  ),
)('conversation store contract ($name)', ({ make }) => {
  it('has no conversation and version 0 for a phone never seen', async () => {
    expect(await make().load('34600000001')).toEqual({ version: 0 });
  });

  it('gives back what was saved, with the next version', async () => {
    const store = make();
    expect(await store.save('34600000001', conversation('choosingDate', 'wamid.1'), 0)).toBe(true);
    expect(await store.load('34600000001')).toEqual({
      conversation: conversation('choosingDate', 'wamid.1'),
      version: 1,
    });
    expect(await store.save('34600000001', conversation('confirming', 'wamid.2'), 1)).toBe(true);
    expect(await store.load('34600000001')).toEqual({
      conversation: conversation('confirming', 'wamid.2'),
      version: 2,
    });
  });

  it('keeps the confirmation question on screen and the photos sent with the conversation', async () => {
    const store = make();
    const withQuestion = {
      ...conversation('confirming', 'wamid.1'),
      question: { messageId: 'wamid.OUT1', holdToken: 'hold-1' },
      photos: ['65463453'],
    };
    await store.save('34600000001', withQuestion, 0);
    expect((await store.load('34600000001')).conversation).toEqual(withQuestion);
  });

  it('refuses a save from a stale version and keeps the newer conversation', async () => {
    const store = make();
    await store.save('34600000001', conversation('choosingDate'), 0);
    await store.save('34600000001', conversation('confirming'), 1);
    expect(await store.save('34600000001', conversation('greeting'), 1)).toBe(false);
    expect(await store.load('34600000001')).toMatchObject({
      conversation: { snapshot: { value: 'confirming' } },
      version: 2,
    });
  });

  it('lets exactly one of two writers from the same version win', async () => {
    const store = make();
    const results = await Promise.all([
      store.save('34600000001', conversation('confirming'), 0),
      store.save('34600000001', conversation('choosingTime'), 0),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.load('34600000001')).version).toBe(1);
  });

  it('keeps phones apart', async () => {
    const store = make();
    await store.save('34600000001', conversation('confirming'), 0);
    expect(await store.load('34600000002')).toEqual({ version: 0 });
  });
});

describe('conversation store on SQLite', () => {
  it('begins a forgotten conversation again from version 0, and refuses a writer of its old version', async () => {
    const store = new SqliteConversationStore(memoryDatabase(), { ttlMs: 150 });
    await store.save('34600000001', conversation('choosingDate'), 0);
    expect(await store.save('34600000001', conversation('confirming'), 0)).toBe(false);
    await sleep(300);
    expect(await store.load('34600000001')).toEqual({ version: 0 });
    expect(await store.save('34600000001', conversation('confirming'), 1)).toBe(false);
    expect(await store.save('34600000001', conversation('greeting'), 0)).toBe(true);
    expect(await store.load('34600000001')).toMatchObject({
      conversation: { snapshot: { value: 'greeting' } },
      version: 1,
    });
  });
});

describe.skipIf(!run)('conversation store on Redis', () => {
  const redis = () => run!;

  it('lets exactly one of many writers from different processes win each version', async () => {
    const prefix = redis().prefix();
    const stores = Array.from({ length: 5 }, () => new RedisConversationStore(redis().redis.connect(), { prefix }));
    for (let version = 0; version < 20; version++) {
      const results = await Promise.all(
        stores.map((store, i) => store.save('34600000001', conversation(`s${i}`), version)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    }
    expect((await stores[0]!.load('34600000001')).version).toBe(20);
  });

  it('forgets a conversation after the quiet period', async () => {
    const store = new RedisConversationStore(redis().connection(), { prefix: redis().prefix(), ttlMs: 150 });
    await store.save('34600000001', conversation('confirming'), 0);
    await sleep(50);
    expect((await store.load('34600000001')).version).toBe(1);
    await sleep(250);
    expect(await store.load('34600000001')).toEqual({ version: 0 });
  });

  it('starts afresh, without blocking the phone, when the stored conversation is unreadable', async () => {
    const prefix = redis().prefix();
    const store = new RedisConversationStore(redis().connection(), { prefix });
    await store.save('34600000001', conversation('confirming'), 0);
    await redis()
      .connection()
      .hset(redisKeys(prefix, 1, 'default').phone('34600000001', 'conversation'), 'conversation', '{broken');
    expect(await store.load('34600000001')).toEqual({ version: 1 });
    expect(await store.save('34600000001', conversation('greeting'), 1)).toBe(true);
  });

  /** A store and an inbox whose claim reads the store's conversation, under a prefix of their own. */
  const claimingStore = () => {
    const prefix = redis().prefix();
    const store = new RedisConversationStore(redis().connection(), { prefix });
    return {
      prefix,
      store,
      inbox: new RedisInbox(redis().connection(), { prefix, readWithClaim: store.readWithClaim() }),
    };
  };
  const phone = '34600000001';
  const hola = (id: string) => ({
    id,
    shop: 'default',
    phone,
    receivedAt: new Date().toISOString(),
    content: { kind: 'text' as const, text: 'hola' },
  });

  it("is read by the inbox's claim, in the same script, for the load that follows it; a copy gone stale meanwhile cannot be saved over", async () => {
    const { prefix, store, inbox } = claimingStore();
    await store.save(phone, conversation('choosingDate', 'wamid.1'), 0);
    await inbox.accept(hola('wamid.2'));
    const message = await inbox.claim();
    // Written after the claim by someone else (a staff member's turn, another process).
    const other = new RedisConversationStore(redis().redis.connect(), { prefix });
    expect(await other.save(phone, conversation('confirming', 'wamid.other'), 1)).toBe(true);

    // The first load is what the claim read: no trip of its own, hence the older copy...
    expect(await store.load(phone)).toEqual({ conversation: conversation('choosingDate', 'wamid.1'), version: 1 });
    // ...which cannot overwrite the newer one: the turn is retried on it.
    expect(await store.save(phone, conversation('greeting', 'wamid.2'), 1)).toBe(false);
    // Any later load reads afresh.
    expect(await store.load(phone)).toMatchObject({ version: 2, conversation: { lastMessageId: 'wamid.other' } });
    await inbox.ack(message!);
  });

  it('is not handed over once the claim has ended', async () => {
    const { store, inbox } = claimingStore();
    await inbox.accept(hola('wamid.1'));
    await inbox.ack((await inbox.claim())!);
    await store.save(phone, conversation('choosingDate', 'wamid.1'), 0);
    expect(await store.load(phone)).toMatchObject({ version: 1 });
  });
});
