import { log } from '../log.ts';

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
): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  let stopping = false;
  const timer = setInterval(() => {
    if (running || stopping) return;
    running = round(() => stopping)
      .catch((error) => log.error({ event: failedEvent, error: String(error) }))
      .finally(() => {
        running = undefined;
      });
  }, seconds * 1000);
  timer.unref();
  return {
    async stop(): Promise<void> {
      stopping = true;
      clearInterval(timer);
      await running;
    },
  };
}
