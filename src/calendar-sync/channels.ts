import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { CalendarSyncStore, Clock, WatchChannel } from '../engine/ports.ts';
import { log } from '../log.ts';

/** The route Google posts its notifications to, on GOOGLE_CALENDAR_WEBHOOK_URL. */
export const GOOGLE_CALENDAR_WEBHOOK_PATH = '/webhook/google-calendar';

/** A channel is replaced this long before it ends, so there is never a gap. */
export const RENEW_BEFORE_MS = 24 * 60 * 60_000;

/** How long cita asks a channel to last (Google may answer shorter; its answer is what counts). */
export const CHANNEL_LIFETIME_MS = 7 * 24 * 60 * 60_000;

/** How often each process checks whether a channel needs renewing. */
export const RENEW_CHECK_MS = 60 * 60_000;

/** A calendar Google can watch (the Google adapter). */
export interface WatchableCalendar {
  sources(): string[];
  watch(
    source: string,
    channel: { id: string; token: string; address: string; expiresAt?: number },
  ): Promise<{ resourceId: string; expiresAt: number }>;
  stopChannel(id: string, resourceId: string): Promise<void>;
}

export function isWatchable(calendar: unknown): calendar is WatchableCalendar {
  return typeof (calendar as Partial<WatchableCalendar>)?.watch === 'function';
}

/**
 * The address Google posts to: the public base URL with the route's path. Google only posts to
 * https; plain http is taken for 127.0.0.1 alone (tests, a tunnel on this machine).
 */
export function webhookAddress(base: string): string {
  const url = new URL(base);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && url.hostname === '127.0.0.1')) {
    throw new Error(
      `GOOGLE_CALENDAR_WEBHOOK_URL must be https (Google posts nowhere else), or http://127.0.0.1 for tests; got ${url.origin}`,
    );
  }
  if (!url.pathname.endsWith(GOOGLE_CALENDAR_WEBHOOK_PATH)) {
    url.pathname = `${url.pathname.replace(/\/$/, '')}${GOOGLE_CALENDAR_WEBHOOK_PATH}`;
  }
  return url.toString();
}

/**
 * Keeps one live push channel per calendar: opens one where there is none, replaces one that ends
 * within RENEW_BEFORE_MS (then stops the old one with `channels.stop`), forgets ended ones. A
 * lease per calendar keeps two processes from opening two channels at once.
 */
export async function renewChannels(deps: {
  calendar: WatchableCalendar;
  store: CalendarSyncStore;
  address: string;
  clock: Clock;
  holder: string;
}): Promise<{ opened: number; stopped: number }> {
  const { calendar, store, clock, holder } = deps;
  const result = { opened: 0, stopped: 0 };
  const now = clock().getTime();
  for (const source of calendar.sources()) {
    const current = (await store.channels()).filter((c) => c.source === source);
    if (current.some((c) => c.expiresAt - now > RENEW_BEFORE_MS)) continue;
    const lease = `watch:${source}`;
    if (!(await store.claim(lease, holder, 60_000))) continue;
    try {
      // Another process may have renewed it while the lease was being taken.
      if ((await store.channels()).some((c) => c.source === source && c.expiresAt - now > RENEW_BEFORE_MS)) continue;
      const id = randomUUID();
      const token = randomBytes(24).toString('base64url');
      const { resourceId, expiresAt } = await calendar.watch(source, {
        id,
        token,
        address: deps.address,
        expiresAt: now + CHANNEL_LIFETIME_MS,
      });
      await store.saveChannel({ id, source, token, resourceId, expiresAt });
      result.opened += 1;
      log.info({ event: 'calendar.channel_opened', source, expiresAt: new Date(expiresAt).toISOString() });
      for (const old of current) {
        if (old.expiresAt > now) {
          await calendar
            .stopChannel(old.id, old.resourceId)
            .catch((error) => log.warn({ event: 'calendar.channel_stop_failed', source, error: String(error) }));
          result.stopped += 1;
        }
        await store.dropChannel(old.id);
      }
    } finally {
      await store.release(lease, holder);
    }
  }
  return result;
}

/** The headers Google sends with every notification (a notification has no body). */
const NotificationHeaders = z.object({
  'x-goog-channel-id': z.string().min(1),
  'x-goog-channel-token': z.string().optional(),
  'x-goog-resource-id': z.string().min(1),
  'x-goog-resource-state': z.string().min(1),
  'x-goog-message-number': z.coerce.number().int().optional(),
});

export type NotificationVerdict = { status: 200; source?: string } | { status: 400 | 401; reason: string };

/**
 * Checks one notification against the channel cita opened: unknown channel, wrong token or
 * another resource → 401 with the reason. A valid one names the calendar to read again
 * ("sync", sent once when a channel opens, asks nothing).
 */
export async function checkNotification(
  headers: Record<string, string>,
  store: CalendarSyncStore,
): Promise<NotificationVerdict> {
  const parsed = NotificationHeaders.safeParse(headers);
  if (!parsed.success) {
    return { status: 400, reason: `not a Google Calendar notification: ${z.prettifyError(parsed.error)}` };
  }
  const channel: WatchChannel | undefined = await store.channel(parsed.data['x-goog-channel-id']);
  if (!channel) return { status: 401, reason: 'unknown channel' };
  if (!sameSecret(parsed.data['x-goog-channel-token'] ?? '', channel.token)) {
    return { status: 401, reason: 'wrong channel token' };
  }
  if (parsed.data['x-goog-resource-id'] !== channel.resourceId) {
    return { status: 401, reason: 'the channel watches another resource' };
  }
  if (parsed.data['x-goog-resource-state'] === 'sync') return { status: 200 };
  return { status: 200, source: channel.source };
}

function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}
