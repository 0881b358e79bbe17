import { afterEach, describe, expect, it, vi } from 'vitest';
import { everySeconds } from '../src/engine/rounds.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('everySeconds (the reminder, waitlist and follow-up loops)', () => {
  it('runs one round at a time, goes on after a failed one, and stops after the round under way', async () => {
    vi.useFakeTimers();
    let started = 0;
    let finish: (() => void) | undefined;
    let sawStop = false;
    const loop = everySeconds(30, 'test.round_failed', (shouldStop) => {
      started++;
      if (started === 1) return Promise.reject(new Error('store down'));
      return new Promise<void>((resolve) => {
        finish = () => {
          sawStop = shouldStop();
          resolve();
        };
      });
    });
    await vi.advanceTimersByTimeAsync(29_999);
    expect(started).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toBe(1);
    // The failed round is over: the next tick starts another, which is slow.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(started).toBe(2);
    // A slow round is not queued behind: ticks while it runs start nothing.
    await vi.advanceTimersByTimeAsync(90_000);
    expect(started).toBe(2);

    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish?.();
    await stopping;
    expect(sawStop).toBe(true);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(started).toBe(2);
  });
});
