import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { redisKeys } from '../../adapters/redis/keys.ts';
import { RedisTranscripts } from '../../adapters/redis/transcripts.ts';
import { SqliteTranscripts } from '../../adapters/sqlite/transcripts.ts';
import type { TranscriptEntry, Transcripts } from '../../src/engine/ports.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { implementations, redisRun, sleep } from './implementations.ts';

const run = await redisRun();

const AT = '2026-11-24T09:00:00.000Z';
const wrote = (id: string, text: string): TranscriptEntry => ({
  from: 'customer',
  id,
  at: AT,
  words: { kind: 'text', text },
});
const asked = (id: string): TranscriptEntry => ({
  from: 'cita',
  id,
  at: AT,
  message: {
    kind: 'buttons',
    body: '¿La confirmo?',
    buttons: [
      { id: 'CONFIRM', title: 'Confirmar' },
      { id: 'CANCEL', title: 'Cancelar' },
    ],
  },
});

interface Options {
  shop?: string;
  ttlMs?: number;
  maxEntries?: number;
}

/** Stores of one place: the same database, or the same Redis prefix, for every shop made. */
function places() {
  return implementations<(options?: Options) => Transcripts>(
    () => {
      const database = memoryDatabase();
      return (options) => new SqliteTranscripts(database, options);
    },
    ({ connection, prefix }) => {
      const shared = prefix();
      return (options) => new RedisTranscripts(connection(), { prefix: shared, ...options });
    },
    run,
  );
}

describe.each(places())('transcripts contract ($name)', ({ make }) => {
  it('is empty for a customer who never wrote', async () => {
    expect(await make()().read('34600000001')).toEqual([]);
  });

  it("keeps a customer's messages in order, buttons and all, apart from other customers and shops", async () => {
    const place = make();
    const bigote = place({ shop: 'el-bigote' });
    await bigote.append('34600000001', [wrote('wamid.1', 'hola')]);
    await bigote.append('34600000002', [wrote('wamid.2', 'hello')]);
    await bigote.append('34600000001', [asked('wamid.1:0')]);
    await place({ shop: 'la-navaja' }).append('34600000001', [wrote('wamid.3', 'buenas')]);

    const carlos = await bigote.read('34600000001');
    expect(carlos.map(({ entry }) => entry)).toEqual([wrote('wamid.1', 'hola'), asked('wamid.1:0')]);
    expect(carlos[1]!.seq).toBeGreaterThan(carlos[0]!.seq);
    expect((await bigote.read('34600000002')).map(({ entry }) => entry)).toEqual([wrote('wamid.2', 'hello')]);
    expect((await place({ shop: 'la-navaja' }).read('34600000001')).map(({ entry }) => entry)).toEqual([
      wrote('wamid.3', 'buenas'),
    ]);
  });

  it('answers only what came after a position, and an id it holds is not added again (a redelivered turn)', async () => {
    const transcripts = make()();
    await transcripts.append('34600000001', [wrote('wamid.1', 'hola'), asked('wamid.1:0')]);
    const [first] = await transcripts.read('34600000001');
    await transcripts.append('34600000001', [wrote('wamid.1', 'hola'), asked('wamid.1:0')]);
    await transcripts.append('34600000001', [wrote('wamid.2', 'sí')]);

    const all = await transcripts.read('34600000001');
    expect(all.map(({ entry }) => entry.id)).toEqual(['wamid.1', 'wamid.1:0', 'wamid.2']);
    expect((await transcripts.read('34600000001', first!.seq)).map(({ entry }) => entry.id)).toEqual([
      'wamid.1:0',
      'wamid.2',
    ]);
    expect(await transcripts.read('34600000001', all[2]!.seq)).toEqual([]);
  });

  it('keeps only the newest entries, and an id dropped with the oldest may come again', async () => {
    const transcripts = make()({ maxEntries: 3 });
    for (let n = 1; n <= 5; n++) await transcripts.append('34600000001', [wrote(`wamid.${n}`, `message ${n}`)]);
    expect((await transcripts.read('34600000001')).map(({ entry }) => entry.id)).toEqual([
      'wamid.3',
      'wamid.4',
      'wamid.5',
    ]);
    await transcripts.append('34600000001', [wrote('wamid.5', 'again'), wrote('wamid.1', 'message 1')]);
    expect((await transcripts.read('34600000001')).map(({ entry }) => entry.id)).toEqual([
      'wamid.4',
      'wamid.5',
      'wamid.1',
    ]);
  });

  it('forgets a transcript once its latest entry is older than the time kept; each entry keeps the whole alive', async () => {
    // Wide margins: a loaded machine stretches every sleep.
    const transcripts = make()({ ttlMs: 1_000 });
    await transcripts.append('34600000001', [wrote('wamid.1', 'hola')]);
    await sleep(300);
    await transcripts.append('34600000001', [wrote('wamid.2', 'sí')]);
    await sleep(800);
    // Over a second after the first entry, under one after the latest: both are kept.
    expect((await transcripts.read('34600000001')).map(({ entry }) => entry.id)).toEqual(['wamid.1', 'wamid.2']);
    await sleep(1_000);
    expect(await transcripts.read('34600000001')).toEqual([]);
  });

  it('starts a transcript afresh when the customer writes after it expired: nothing old comes back', async () => {
    const transcripts = make()({ ttlMs: 300 });
    await transcripts.append('34600000001', [wrote('wamid.1', 'hola'), asked('wamid.1:0')]);
    await sleep(600);
    await transcripts.append('34600000001', [wrote('wamid.2', 'otra vez')]);
    expect((await transcripts.read('34600000001')).map(({ entry }) => entry.id)).toEqual(['wamid.2']);
  });

  it('refuses an entry that is not one, writing nothing', async () => {
    const transcripts = make()();
    const bad = { ...wrote('wamid.1', 'hola'), id: 'two\nlines' };
    await expect(transcripts.append('34600000001', [wrote('wamid.0', 'ok'), bad])).rejects.toThrow();
    expect(await transcripts.read('34600000001')).toEqual([]);
  });
});

describe.skipIf(!run)('transcripts on Redis', () => {
  it("keeps a customer's transcript under their conversation's hash tag: one slot on Redis Cluster", () => {
    const keys = redisKeys('cita', 1, 'el-bigote');
    const slot = calculateSlot(keys.phone('34600000001', 'conversation'));
    expect(calculateSlot(keys.phone('34600000001', 'transcript'))).toBe(slot);
    expect(calculateSlot(keys.phone('34600000001', 'transcript-ids'))).toBe(slot);
  });

  it('counts on past an expired transcript: a reader of the old one sees the new one as new', async () => {
    const transcripts = new RedisTranscripts(run!.connection(), { prefix: run!.prefix(), ttlMs: 100 });
    await transcripts.append('34600000001', [wrote('wamid.1', 'hola')]);
    const [old] = await transcripts.read('34600000001');
    await sleep(250);
    await transcripts.append('34600000001', [wrote('wamid.2', 'buenas')]);
    expect((await transcripts.read('34600000001', old!.seq)).map(({ entry }) => entry.id)).toEqual(['wamid.2']);
  });
});
