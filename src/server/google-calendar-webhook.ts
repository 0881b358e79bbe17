import { Hono } from 'hono';
import { checkNotification, type NotificationVerdict } from '../calendar-sync/channels.ts';
import type { CalendarSync } from '../calendar-sync/sync.ts';
import type { CalendarSyncStore } from '../engine/ports.ts';
import { log } from '../log.ts';

/** One shop's calendar watch: its channels and how to read its calendars. */
export interface CalendarWatcher {
  store: CalendarSyncStore;
  sync: Pick<CalendarSync, 'syncSource'>;
}

/**
 * `POST /webhook/google-calendar`: Google saying "a watched calendar changed, look again". Checked
 * against the channel cita opened (its id, token and resource), whichever shop's it is; the
 * calendar is then read in the background, so Google gets its 200 at once. The notification itself
 * carries no change.
 */
export function googleCalendarWebhook({ watchers }: { watchers: () => CalendarWatcher[] }) {
  const app = new Hono();
  app.post('/', async function calendarNotification(c) {
    const headers = c.req.header();
    let verdict: NotificationVerdict = { status: 401, reason: 'unknown channel' };
    let watcher: CalendarWatcher | undefined;
    for (const candidate of watchers()) {
      verdict = await checkNotification(headers, candidate.store);
      watcher = candidate;
      if (verdict.status !== 401 || verdict.reason !== 'unknown channel') break;
    }
    if (verdict.status !== 200) {
      log.warn({ event: 'calendar.notification_refused', reason: verdict.reason });
      return c.json({ error: verdict.reason }, verdict.status);
    }
    if (verdict.source && watcher) {
      watcher.sync
        .syncSource(verdict.source)
        .catch((error) => log.warn({ event: 'calendar.sync_failed', error: String(error) }, 'calendar not read'));
    }
    return c.body(null, 200);
  });
  return app;
}
