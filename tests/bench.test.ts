import { describe, expect, it } from 'vitest';
import { availabilityBenchmark } from '../bench/availability.ts';
import { conversationCostBenchmark, readScripts } from '../bench/conversation-cost.ts';
import { runEndToEnd } from '../bench/end-to-end.ts';
import { inProcessBenchmark } from '../bench/in-process.ts';
import { measureLoad, measureStartUp } from '../bench/many-shops.ts';
import { runPeer } from '../bench/peer.ts';
import { resultsTable } from '../bench/run.ts';
import { redisAnswers } from '../bench/support/redis.ts';

const redis = await redisAnswers();

/**
 * Keeps the benchmarks (`npm run bench`) from rotting: each runs at a tiny size and must produce
 * results of the right shape. No timing is asserted; numbers are for `npm run bench` to report.
 */
describe('benchmarks, at a tiny size', () => {
  it('computes 14 days of free slots with 500 appointments and 100 holds', () => {
    const result = availabilityBenchmark({ iterations: 2 }, 'npm run bench -- availability');
    expect(result.name).toBe('availability');
    expect(result.parameters).toMatchObject({ days: 14, busy: 500, holds: 100 });
    expect(result.figures.map((figure) => figure.label)).toHaveLength(3);
    const details = result.details as { ownIntervalsPerDay: { ms: { count: number }; slots: number } };
    expect(details.ownIntervalsPerDay.ms.count).toBe(2);
    expect(details.ownIntervalsPerDay.slots).toBeGreaterThan(0);
  });

  it('plays every scripted conversation and counts messages and LLM calls per booking', async () => {
    const scripts = readScripts();
    expect(new Set(scripts.map((script) => script.language))).toEqual(new Set(['es', 'en']));
    const result = await conversationCostBenchmark('npm run bench -- conversation-cost', scripts);
    const { total, conversations } = result.details as {
      total: { conversations: number; booked: number; messagesPerBooking: number; llmCallsPerBooking: number };
      conversations: { error?: string }[];
    };
    expect(total.conversations).toBe(scripts.length);
    // Every tap in the scripts is an option the bot offered: a script that taps anything else is broken.
    expect(conversations.flatMap((conversation) => conversation.error ?? [])).toEqual([]);
    expect(total.booked).toBeGreaterThan(0);
    expect(total.llmCallsPerBooking).toBeLessThanOrEqual(total.messagesPerBooking);
    expect(resultsTable([result])).toContain('conversation-cost');
  });

  it('starts on a folder of shop files, and books the customers of several shops at once through their numbers', async () => {
    const startUp = await measureStartUp(3);
    expect(startUp.files).toBe(3);
    expect(startUp.seconds).toBeGreaterThan(0);
    const load = await measureLoad('embedded', 2, 4, { graphLatencyMs: 0 });
    expect(load).toMatchObject({ store: 'embedded', shops: 2, customers: 4, booked: 4, failures: {} });
    expect(load.messages).toBeGreaterThanOrEqual(4 * 4);
    expect(load.replyMs.count).toBe(load.messages);
    // Read back from the store: one appointment per customer, none twice.
    expect(load.stored).toEqual({
      appointments: 4,
      bookedWithoutAppointment: 0,
      bookedMoreThanOnce: 0,
      doubleBookings: 0,
    });
  }, 120_000);

  it('books the same customers with cita and with the BuilderBot peer, in this process', async () => {
    const { cita, builderBot } = await runPeer({ customers: 8, concurrency: 4, warmup: 2 });
    for (const side of [cita, builderBot]) {
      expect(side).toMatchObject({ customers: 8, booked: 8, doubleBookings: 0 });
      expect(side.messages).toBeGreaterThanOrEqual(5 * 8);
      expect(side.turnMs.count).toBe(side.messages);
    }
  }, 20_000);

  it('books with the end-to-end flow in process, and holds conversations idle and in flight', async () => {
    const result = await inProcessBenchmark(
      { customers: 6, concurrency: 3, conversations: 30, warmup: 2 },
      'npm run bench -- in-process',
    );
    const { run, memory } = result.details as {
      run: { booked: number; messages: number; typed: number };
      memory: { conversations: number; idle: { heapUsed: number }; inFlight: { heapUsed: number } };
    };
    expect(run.booked).toBe(6);
    // Typed messages as well as taps, as the end-to-end customers send.
    expect(run.typed).toBeGreaterThanOrEqual(6 * 2);
    expect(run.typed).toBeLessThan(run.messages);
    // Every conversation's message was in hand at once before the figures were read.
    expect(memory.conversations).toBe(30);
    expect(memory.inFlight.heapUsed).toBeGreaterThan(0);
  }, 60_000);

  it.skipIf(!redis)(
    'books 5 customers through a real server process on Redis with no double booking',
    async () => {
      const [run] = await runEndToEnd({ customers: 5, concurrency: 5, runs: [{ store: 'redis', graphLatencyMs: 0 }] });
      expect(run).toMatchObject({ customers: 5, booked: 5, failed: 0, doubleBookings: 0, appointments: 5 });
      expect(run.messages).toBeGreaterThanOrEqual(25);
      expect(run.replyMs.count).toBe(run.messages);
    },
    30_000,
  );
});
