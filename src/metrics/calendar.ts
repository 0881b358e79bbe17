import { type Calendar, CalendarUnavailable } from '../engine/ports.ts';
import { log } from '../log.ts';
import type { CitaMetrics } from './registry.ts';

type Operation = keyof Calendar;
const OPERATIONS: readonly Operation[] = [
  'busy',
  'create',
  'get',
  'cancel',
  'reschedule',
  'upcomingFor',
  'between',
  'block',
];

/**
 * The calendar, measured: every call is timed and counted by operation and outcome (`ok`,
 * `unavailable` when the calendar could not answer, `error` otherwise), and logged at debug level.
 * Wrapping the port rather than each adapter measures the Google, Redis and local calendars the
 * same way, and a new adapter is measured without doing anything.
 *
 * @example
 * const calendar = meteredCalendar(new GoogleCalendar(options), metrics);
 */
export function meteredCalendar(calendar: Calendar, metrics: CitaMetrics): Calendar {
  const measured = {} as Record<Operation, (...args: never[]) => Promise<unknown>>;
  for (const operation of OPERATIONS) {
    const call = calendar[operation].bind(calendar) as (...args: never[]) => Promise<unknown>;
    measured[operation] = async function measuredCall(...args: never[]) {
      const started = performance.now();
      let outcome = 'ok';
      try {
        return await call(...args);
      } catch (error) {
        outcome = error instanceof CalendarUnavailable ? 'unavailable' : 'error';
        throw error;
      } finally {
        const seconds = (performance.now() - started) / 1000;
        metrics.calendarCalls.observe({ operation, outcome }, seconds);
        log.debug({ event: 'calendar.call', operation, outcome, ms: Math.round(seconds * 1000) }, 'calendar call');
      }
    };
  }
  return measured as unknown as Calendar;
}
