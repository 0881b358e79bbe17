import { Hono } from 'hono';
import { checkNotification } from '../calendar-sync/channels.ts';
import type { CalendarSync } from '../calendar-sync/sync.ts';
import type { CalendarSyncStore } from '../engine/ports.ts';
import { log } from '../log.ts';

/**
 * `POST /webhook/google-calendar`: Google saying "a watched calendar changed, look again". Checked
 * against the channel cita opened (its id, token and resource); the calendar is then read in the
 * background, so Google gets its 200 at once. The notification itself carries no change.
 */
export function googleCalendarWebhook({ store, sync }: { store: CalendarSyncStore; sync: CalendarSync }) {
  const app = new Hono();
  app.post('/', async function calendarNotification(c) {
    const verdict = await checkNotification(c.req.header(), store);
    if (verdict.status !== 200) {
      log.warn({ event: 'calendar.notification_refused', reason: verdict.reason });
      return c.json({ error: verdict.reason }, verdict.status);
    }
    if (verdict.source) {
      sync
        .syncSource(verdict.source)
        .catch((error) => log.warn({ event: 'calendar.sync_failed', error: String(error) }, 'calendar not read'));
    }
    return c.body(null, 200);
  });
  return app;
}
