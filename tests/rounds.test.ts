import { describe, expect, it } from 'vitest';
import { everySeconds, type Ticker } from '../src/engine/rounds.ts';

/** A ticker moved by the test: no clock, so nothing else in the worker runs on it. */
function handTicker() {
  let tick: (() => void) | undefined;
  let everyMs: number | undefined;
  const ticker: Ticker = {
    start(fn, ms) {
      [tick, everyMs] = [fn, ms];
      return {
        stop: () => {
          tick = undefined;
        },
      };
    },
  };
  return {
    ticker,
    everyMs: () => everyMs,
    /** One tick, then what the round it started has done so far. */
    async tick() {
      tick?.();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('everySeconds (the reminder, waitlist and follow-up loops)', () => {
  it('runs one round at a time, goes on after a failed one, and stops after the round under way', async () => {
    const hand = handTicker();
    let started = 0;
    let finish: (() => void) | undefined;
    let sawStop = false;
    const loop = everySeconds(
      30,
      'test.round_failed',
      (shouldStop) => {
        started++;
        if (started === 1) return Promise.reject(new Error('store down'));
        return new Promise<void>((resolve) => {
          finish = () => {
            sawStop = shouldStop();
            resolve();
          };
        });
      },
      hand.ticker,
    );
    expect(hand.everyMs()).toBe(30_000);
    expect(started).toBe(0);
    await hand.tick();
    expect(started).toBe(1);
    // The failed round is over: the next tick starts another, which is slow.
    await hand.tick();
    expect(started).toBe(2);
    // A slow round is not queued behind: ticks while it runs start nothing.
    await hand.tick();
    await hand.tick();
    expect(started).toBe(2);

    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    finish?.();
    await stopping;
    expect(sawStop).toBe(true);
    // Stopped: ticks start nothing.
    await hand.tick();
    expect(started).toBe(2);
  });
});
