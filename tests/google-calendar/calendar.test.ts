import { LocalCalendar } from '../../adapters/local-calendar/calendar.ts';
import { tempDataDir } from '../support/cita.ts';
import { startFakeGoogleCalendar } from '../support/fake-google-calendar.ts';
import { calendarContract } from './calendar-contract.ts';
import { googleCalendarFor } from './google.ts';

calendarContract('LocalCalendar', async () => ({ calendar: new LocalCalendar(tempDataDir()) }));

calendarContract('GoogleCalendar against the fake Calendar API', async () => {
  const google = await startFakeGoogleCalendar();
  return { calendar: googleCalendarFor(google), cleanup: google.close };
});

calendarContract('GoogleCalendar shared by barbers (read by event)', async () => {
  const google = await startFakeGoogleCalendar();
  return { calendar: googleCalendarFor(google, { barbers: [{ id: 'javi' }] }), cleanup: google.close };
});
