import { GoogleCalendar, type GoogleCalendarOptions } from '../../adapters/google-calendar/calendar.ts';
import type { FakeGoogleCalendar } from '../support/fake-google-calendar.ts';

/** Retries that give up fast, so tests of an unavailable calendar take milliseconds, not seconds. */
export const QUICK_RETRY = { budgetMs: 300, firstDelayMs: 5, maxDelayMs: 40 };

/** The real GoogleCalendar adapter, talking to the fake API through the googleapis client. */
export function googleCalendarFor(google: FakeGoogleCalendar, options: Partial<GoogleCalendarOptions> = {}) {
  return new GoogleCalendar({
    calendarId: google.calendarId,
    timeZone: 'Europe/Madrid',
    language: 'es',
    serviceAccount: google.serviceAccount,
    rootUrl: google.rootUrl,
    requestTimeoutMs: 2_000,
    retry: QUICK_RETRY,
    ...options,
  });
}
