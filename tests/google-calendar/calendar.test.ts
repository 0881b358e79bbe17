import { SqliteCalendar } from '../../adapters/sqlite/calendar.ts';
import { startFakeGoogleCalendar } from '../support/fake-google-calendar.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { calendarContract } from './calendar-contract.ts';
import { googleCalendarFor } from './google.ts';

calendarContract('SqliteCalendar', async () => ({ calendar: new SqliteCalendar(memoryDatabase()) }));

calendarContract('GoogleCalendar against the fake Calendar API', async () => {
  const google = await startFakeGoogleCalendar();
  return { calendar: googleCalendarFor(google), cleanup: google.close };
});
