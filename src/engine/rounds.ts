import { log } from '../log.ts';

/** What `everySeconds` ticks with: the process's own timers, or a test's hand. */
export interface Ticker {
  start(tick: () => void, ms: number): { stop(): void };
}

const processTicker: Ticker = {
  start(tick, ms) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  },
};

/**
 * Runs `round` every `seconds`, one round at a time: a slow round is not queued behind, the next
 * tick after it ends runs again. A round that throws is logged as `failedEvent` and the next tick
 * tries again. `stop` ends the ticks and waits for a round under way, which can ask whether it
 * should stop early.
 *
 * @example
 * const reminders = everySeconds(30, 'reminders.failed', (shouldStop) => sendDueReminders(deps, { shouldStop }));
 * await reminders.stop();
 */
export function everySeconds(
  seconds: number,
  failedEvent: string,
  round: (shouldStop: () => boolean) => Promise<unknown>,
  ticker: Ticker = processTicker,
): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  let stopping = false;
  const ticks = ticker.start(() => {
    if (running || stopping) return;
    running = round(() => stopping)
      .catch((error) => log.error({ event: failedEvent, error: String(error) }))
      .finally(() => {
        running = undefined;
      });
  }, seconds * 1000);
  return {
    async stop(): Promise<void> {
      stopping = true;
      ticks.stop();
      await running;
    },
  };
}
