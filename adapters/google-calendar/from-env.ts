import type { Language } from '../../config/schema.ts';
import { GoogleCalendar, type GoogleCalendarOptions } from './calendar.ts';
import { readServiceAccount } from './credentials.ts';

/** The GOOGLE_* settings (see .env.example). */
export interface GoogleCalendarEnv {
  GOOGLE_CALENDAR_ID?: string;
  GOOGLE_SERVICE_ACCOUNT_JSON?: string;
  GOOGLE_APPLICATION_CREDENTIALS?: string;
  GOOGLE_API_ROOT_URL?: string;
}

/**
 * The shop's Google Calendar when GOOGLE_CALENDAR_ID is set, or undefined for the embedded local
 * calendar. Credentials are read and checked here, at start-up, so a bad key stops the program
 * with a message instead of failing the first customer's booking.
 *
 * @example
 * const calendar = googleCalendarFromEnv(env, shop.timezone, shop.languages.default, shop.barbers); // undefined → the SQLite calendar
 */
export function googleCalendarFromEnv(
  env: GoogleCalendarEnv,
  timeZone: string,
  language: Language,
  barbers: GoogleCalendarOptions['barbers'] = [],
  clock?: () => Date,
): GoogleCalendar | undefined {
  if (!env.GOOGLE_CALENDAR_ID) {
    // Half a set-up would silently keep bookings out of the barber's calendar: say so instead.
    if (env.GOOGLE_SERVICE_ACCOUNT_JSON) {
      throw new Error(
        'GOOGLE_SERVICE_ACCOUNT_JSON is set but GOOGLE_CALENDAR_ID is not: set GOOGLE_CALENDAR_ID to the calendar id ' +
          '(Google Calendar → Settings → your calendar → Integrate calendar), or unset GOOGLE_SERVICE_ACCOUNT_JSON to use the local calendar.',
      );
    }
    return undefined;
  }
  return new GoogleCalendar({
    calendarId: env.GOOGLE_CALENDAR_ID,
    timeZone,
    language,
    barbers,
    ...(clock && { clock }),
    serviceAccount: readServiceAccount(env),
    ...(env.GOOGLE_API_ROOT_URL ? { rootUrl: env.GOOGLE_API_ROOT_URL } : {}),
  });
}
