import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { CALENDAR_SCOPE } from '../../adapters/google-calendar/calendar.ts';
import type { ServiceAccount } from '../../adapters/google-calendar/credentials.ts';

/**
 * A local stand-in for the Google Calendar v3 API, served over HTTP so that the real googleapis
 * client (pointed here by its root URL) is what the tests exercise. It implements only what cita
 * calls — free/busy, and insert / get / delete / list of events — and behaves like Google where cita
 * depends on it:
 * - free/busy is computed from the stored events, so an event "the barber" adds, moves or deletes
 *   directly (see `barber`) shows up exactly as it would;
 * - inserting an id that exists answers 409, also when that event was deleted (Google keeps
 *   deleted events, with status "cancelled");
 * - deleting a deleted event answers 410; get returns deleted events with status "cancelled";
 * - every request must carry a self-signed JWT from the test service account with the calendar scope;
 * - events.list gives a `nextSyncToken` on its last page; with `syncToken` it answers what changed
 *   since (deleted events as status "cancelled", whatever `showDeleted` says), refuses the filters
 *   Google refuses with it (400), and answers 410 Gone to a token `expireSyncTokens` made too old;
 * - events.watch opens a channel (https only, or http on 127.0.0.1, as tests use) and POSTs Google's
 *   notifications to its address: "sync" at once, then "exists" whenever the calendar changes, with
 *   the X-Goog-* headers Google sends; channels.stop closes one.
 * Failures are injected per route with `fail` (HTTP errors, free/busy `errors[]`, lost answers).
 */

export const FAKE_CALENDAR_ID = 'barberia@group.calendar.google.com';

/** The API routes the fake serves, for failure injection and for reading the request log. */
export type FakeRoute = 'freeBusy' | 'insert' | 'get' | 'patch' | 'delete' | 'list' | 'move' | 'watch' | 'stop';

/** A push channel the fake opened, and the notifications it sent. */
export interface FakeChannel {
  id: string;
  calendarId: string;
  resourceId: string;
  address: string;
  token?: string;
  expiration: number;
  stopped: boolean;
  messageNumber: number;
}

/** A notification as POSTed to a channel's address, and how the receiver answered. */
export interface SentNotification {
  channelId: string;
  headers: Record<string, string>;
  status: number | 'unreachable';
}

export type InjectedFailure =
  /** Answer with this HTTP status and Google's error shape (e.g. 403 + 'rateLimitExceeded'). */
  | { status: number; reason?: string }
  /** Free/busy only: answer 200 with an `errors[]` entry for the calendar and no busy time. */
  | { freeBusyError: string }
  /** Do the work, then hold the answer back for this long, as when a timeout loses a response. */
  | { lostAnswerMs: number };

export interface RecordedRequest {
  route: FakeRoute;
  method: string;
  calendarId: string;
  query: Record<string, string[]>;
  body: unknown;
}

/** An event as stored: what was sent, plus Google's own fields, with instants kept as milliseconds. */
interface StoredEvent {
  resource: Record<string, unknown> & { id: string; status: string };
  /** The calendar's change counter when this event last changed: what a sync token is compared with. */
  changed: number;
  startMs: number;
  endMs: number;
  timeZone: string;
}

export interface BarberEvent {
  /** Google makes one up when none is given. */
  id?: string;
  start: string;
  end: string;
  summary?: string;
  /** A transparent event ("show as available") does not make the time busy. */
  transparent?: boolean;
}

const GoogleEventTime = z.object({ dateTime: z.iso.datetime({ offset: true }), timeZone: z.string().optional() });
const InsertBody = z.looseObject({
  id: z
    .string()
    .regex(/^[a-v0-9]{5,1024}$/)
    .optional(),
  start: GoogleEventTime,
  end: GoogleEventTime,
  attendees: z.array(z.unknown()).optional(),
});
const FreeBusyBody = z.object({
  timeMin: z.iso.datetime({ offset: true }),
  timeMax: z.iso.datetime({ offset: true }),
  timeZone: z.string().optional(),
  items: z.array(z.object({ id: z.string() })),
});

/** Test service-account credentials: a fresh RSA key, so nothing secret lives in the repository. */
export function testServiceAccount(): { serviceAccount: ServiceAccount; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    serviceAccount: {
      type: 'service_account',
      client_email: 'cita-test@cita-tests.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      private_key_id: 'test-key-1',
    },
    publicKey,
  };
}

/**
 * Starts the fake on a free local port.
 *
 * @example
 * const google = await startFakeGoogleCalendar();
 * const calendar = new GoogleCalendar({ calendarId: google.calendarId, rootUrl: google.rootUrl, ... });
 * google.barber.add({ start: '2026-11-25T09:00:00Z', end: '2026-11-25T10:00:00Z' });
 */
export async function startFakeGoogleCalendar(
  options: {
    pageSize?: number;
    calendars?: string[];
    /** Google's clock, for when channels end (the tests' fake clock). */
    now?: () => number;
  } = {},
) {
  const pageSize = options.pageSize ?? 250;
  const now = options.now ?? Date.now;
  const { serviceAccount, publicKey } = testServiceAccount();
  // The shop's calendar, and any others shared with the service account (one per barber).
  const calendars = new Map<string, Map<string, StoredEvent>>(
    [FAKE_CALENDAR_ID, ...(options.calendars ?? [])].map((id) => [id, new Map()]),
  );
  const failures: Record<FakeRoute, InjectedFailure[]> = {
    freeBusy: [],
    insert: [],
    get: [],
    patch: [],
    delete: [],
    list: [],
    move: [],
    watch: [],
    stop: [],
  };
  const requests: RecordedRequest[] = [];
  const closing = new AbortController();
  let generatedIds = 0;
  /** Changes so far, over every calendar: sync tokens are this counter at the time they were given. */
  let changeCount = 0;
  /** Tokens carry the epoch they were given in; those of an earlier one answer 410 Gone. */
  let tokenEpoch = 0;
  const syncTokenFor = (count: number) => `sync-${tokenEpoch}-${count}`;
  const channels = new Map<string, FakeChannel>();
  const notifications: SentNotification[] = [];
  const deliveries = new Set<Promise<void>>();

  /** Marks an event changed, and tells the calendar's channels to look again. */
  function changed(calendarId: string, event: StoredEvent) {
    event.changed = ++changeCount;
    for (const channel of channels.values()) {
      if (channel.calendarId === calendarId && !channel.stopped && channel.expiration > now()) {
        notify(channel, 'exists');
      }
    }
  }

  /** POSTs one notification as Google does: no body, everything in X-Goog-* headers. */
  function notify(channel: FakeChannel, state: 'sync' | 'exists') {
    channel.messageNumber += 1;
    const headers: Record<string, string> = {
      'X-Goog-Channel-ID': channel.id,
      'X-Goog-Channel-Expiration': new Date(channel.expiration).toUTCString(),
      'X-Goog-Resource-ID': channel.resourceId,
      'X-Goog-Resource-URI': `http://127.0.0.1:${port}/calendar/v3/calendars/${encodeURIComponent(channel.calendarId)}/events?alt=json`,
      'X-Goog-Resource-State': state,
      'X-Goog-Message-Number': String(channel.messageNumber),
      ...(channel.token !== undefined ? { 'X-Goog-Channel-Token': channel.token } : {}),
    };
    const delivery = fetch(channel.address, { method: 'POST', headers, signal: closing.signal })
      .then((response) => {
        notifications.push({ channelId: channel.id, headers, status: response.status });
      })
      .catch(() => {
        notifications.push({ channelId: channel.id, headers, status: 'unreachable' });
      })
      .finally(() => deliveries.delete(delivery));
    deliveries.add(delivery);
  }

  const app = new Hono();

  /** Checks the bearer token is a JWT signed by the test service account's key, for the calendar scope. */
  app.use('*', async function requireServiceAccount(c, next) {
    const token = c.req.header('authorization')?.replace(/^Bearer /, '') ?? '';
    if (!isValidJwt(token, publicKey, serviceAccount.client_email)) {
      return googleError(c, 401, 'authError', 'Invalid Credentials');
    }
    await next();
  });

  app.post('/calendar/v3/freeBusy', async (c) => {
    const body = FreeBusyBody.safeParse(await c.req.json());
    if (!body.success) return googleError(c, 400, 'badRequest', z.prettifyError(body.error));
    const { timeMin, timeMax, items } = body.data;
    for (const { id } of items) record(c, 'freeBusy', id, body.data);
    const failure = failures.freeBusy.shift();
    const answer = { kind: 'calendar#freeBusy', timeMin, timeMax, calendars: {} as Record<string, unknown> };
    for (const { id } of items) {
      const events = calendars.get(id);
      if (failure && 'freeBusyError' in failure) {
        answer.calendars[id] = { errors: [{ domain: 'global', reason: failure.freeBusyError }], busy: [] };
      } else if (!events) {
        answer.calendars[id] = { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
      } else {
        answer.calendars[id] = { busy: busyIn(events, Date.parse(timeMin), Date.parse(timeMax)) };
      }
    }
    if (failure && !('freeBusyError' in failure)) return injected(c, failure, answer);
    return c.json(answer);
  });

  app.post('/calendar/v3/calendars/:calendarId/events', async (c) => {
    const calendarId = c.req.param('calendarId');
    const raw = await c.req.json();
    record(c, 'insert', calendarId, raw);
    const failure = failures.insert.shift();
    if (failure && 'status' in failure) return injected(c, failure);
    const events = calendars.get(calendarId);
    if (!events) return googleError(c, 404, 'notFound', 'Not Found');
    const body = InsertBody.safeParse(raw);
    if (!body.success) return googleError(c, 400, 'invalid', z.prettifyError(body.error));
    if (body.data.attendees?.length) {
      return googleError(
        c,
        403,
        'forbiddenForServiceAccounts',
        'Service accounts cannot invite attendees without Domain-Wide Delegation of Authority.',
      );
    }
    const id = body.data.id ?? `fake${String(++generatedIds).padStart(6, '0')}`;
    if (events.has(id)) return googleError(c, 409, 'duplicate', 'The requested identifier already exists.');
    const stored: StoredEvent = {
      resource: { ...body.data, id, status: 'confirmed', kind: 'calendar#event' },
      changed: 0,
      startMs: Date.parse(body.data.start.dateTime),
      endMs: Date.parse(body.data.end.dateTime),
      timeZone: body.data.start.timeZone ?? 'UTC',
    };
    events.set(id, stored);
    changed(calendarId, stored);
    return failure ? injected(c, failure, rendered(stored)) : c.json(rendered(stored));
  });

  app.get('/calendar/v3/calendars/:calendarId/events/:eventId', async (c) => {
    const calendarId = c.req.param('calendarId');
    record(c, 'get', calendarId, undefined);
    const failure = failures.get.shift();
    if (failure && 'status' in failure) return injected(c, failure);
    const event = calendars.get(calendarId)?.get(c.req.param('eventId'));
    if (!event) return googleError(c, 404, 'notFound', 'Not Found');
    return failure ? injected(c, failure, rendered(event)) : c.json(rendered(event));
  });

  // A patch replaces the fields it carries; cita moves an appointment this way, in one write.
  app.patch('/calendar/v3/calendars/:calendarId/events/:eventId', async (c) => {
    const calendarId = c.req.param('calendarId');
    const raw = await c.req.json();
    record(c, 'patch', calendarId, raw);
    const failure = failures.patch.shift();
    if (failure && 'status' in failure) return injected(c, failure);
    const event = calendars.get(calendarId)?.get(c.req.param('eventId'));
    // Google keeps deleted events: a patch on one succeeds and answers it, still cancelled.
    if (!event) return googleError(c, 404, 'notFound', 'Not Found');
    const body = InsertBody.partial().safeParse(raw);
    if (!body.success) return googleError(c, 400, 'invalid', z.prettifyError(body.error));
    event.resource = { ...event.resource, ...body.data, id: event.resource.id };
    if (body.data.start) event.startMs = Date.parse(body.data.start.dateTime);
    if (body.data.end) event.endMs = Date.parse(body.data.end.dateTime);
    changed(calendarId, event);
    return failure ? injected(c, failure, rendered(event)) : c.json(rendered(event));
  });

  // events.move: the event leaves this calendar for `destination`, keeping its id.
  app.post('/calendar/v3/calendars/:calendarId/events/:eventId/move', async (c) => {
    const calendarId = c.req.param('calendarId');
    record(c, 'move', calendarId, undefined);
    const failure = failures.move.shift();
    if (failure && 'status' in failure) return injected(c, failure);
    const from = calendars.get(calendarId);
    const to = calendars.get(c.req.query('destination') ?? '');
    const event = from?.get(c.req.param('eventId'));
    if (!event || !to) return googleError(c, 404, 'notFound', 'Not Found');
    if (to.get(event.resource.id)?.resource.status === 'confirmed') {
      return googleError(c, 409, 'duplicate', 'The requested identifier already exists.');
    }
    // The event leaves a deleted copy behind: the origin's sync reports it as cancelled.
    const left = { ...event, resource: { ...event.resource, status: 'cancelled' } };
    from!.set(event.resource.id, left);
    changed(calendarId, left);
    to.set(event.resource.id, event);
    changed(c.req.query('destination') ?? '', event);
    return failure ? injected(c, failure, rendered(event)) : c.json(rendered(event));
  });

  app.delete('/calendar/v3/calendars/:calendarId/events/:eventId', async (c) => {
    const calendarId = c.req.param('calendarId');
    record(c, 'delete', calendarId, undefined);
    const failure = failures.delete.shift();
    if (failure && 'status' in failure) return injected(c, failure);
    const event = calendars.get(calendarId)?.get(c.req.param('eventId'));
    if (!event) return googleError(c, 404, 'notFound', 'Not Found');
    if (event.resource.status === 'cancelled') return googleError(c, 410, 'deleted', 'Resource has been deleted');
    event.resource.status = 'cancelled';
    changed(calendarId, event);
    return failure ? injected(c, failure) : c.body(null, 204);
  });

  app.get('/calendar/v3/calendars/:calendarId/events', async (c) => {
    const calendarId = c.req.param('calendarId');
    record(c, 'list', calendarId, undefined);
    const failure = failures.list.shift();
    if (failure && 'status' in failure) return injected(c, failure);
    const events = calendars.get(calendarId);
    if (!events) return googleError(c, 404, 'notFound', 'Not Found');
    if (c.req.query('orderBy') === 'startTime' && c.req.query('singleEvents') !== 'true') {
      return googleError(c, 400, 'badRequest', 'The requested ordering is not available for the particular query.');
    }
    const syncToken = c.req.query('syncToken');
    if (syncToken !== undefined) return changesSince(c, events, syncToken, failure);
    const timeMin = c.req.query('timeMin');
    const timeMax = c.req.query('timeMax');
    const wanted = (c.req.queries('privateExtendedProperty') ?? []).map((p) => p.split('=', 2) as [string, string]);
    const matching = [...events.values()]
      .filter((e) => c.req.query('showDeleted') === 'true' || e.resource.status !== 'cancelled')
      // Google's timeMin bounds the event's end, timeMax its start.
      .filter(
        (e) => (timeMin ? e.endMs > Date.parse(timeMin) : true) && (timeMax ? e.startMs < Date.parse(timeMax) : true),
      )
      .filter((e) => wanted.every(([key, value]) => privateProperties(e)[key] === value))
      .sort((a, b) => a.startMs - b.startMs);
    const offset = Number(c.req.query('pageToken') ?? 0);
    const page = matching.slice(offset, offset + pageSize);
    const nextPageToken = offset + pageSize < matching.length ? String(offset + pageSize) : undefined;
    // As Google: the sync token comes on the last page only.
    const answer = {
      kind: 'calendar#events',
      items: page.map(rendered),
      ...(nextPageToken ? { nextPageToken } : { nextSyncToken: syncTokenFor(changeCount) }),
    };
    return failure ? injected(c, failure, answer) : c.json(answer);
  });

  /** Incremental sync: every event changed after the token, deleted ones as "cancelled", in pages. */
  function changesSince(c: Context, events: Map<string, StoredEvent>, syncToken: string, failure?: InjectedFailure) {
    const refused = ['timeMin', 'timeMax', 'orderBy', 'privateExtendedProperty', 'q', 'updatedMin', 'iCalUID'].find(
      (name) => c.req.query(name) !== undefined,
    );
    if (refused) return googleError(c, 400, 'invalid', `${refused} cannot be used with syncToken`);
    const [, epoch, count] = /^sync-(\d+)-(\d+)$/.exec(syncToken)?.map(Number) ?? [];
    if (epoch === undefined || count === undefined || count > changeCount) {
      return googleError(c, 400, 'invalid', 'Invalid sync token');
    }
    const since = count;
    if (epoch < tokenEpoch) {
      return googleError(c, 410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.');
    }
    // A page token fixes where the read ends, so changes made while paging wait for the next token.
    const [offset, upTo] = (c.req.query('pageToken') ?? `0:${changeCount}`).split(':').map(Number) as [number, number];
    const matching = [...events.values()]
      .filter((e) => e.changed > since && e.changed <= upTo)
      .sort((a, b) => a.changed - b.changed);
    const page = matching.slice(offset, offset + pageSize);
    const more = offset + pageSize < matching.length;
    const answer = {
      kind: 'calendar#events',
      items: page.map((e) => (e.resource.status === 'cancelled' ? deletedStub(e) : rendered(e))),
      ...(more ? { nextPageToken: `${offset + pageSize}:${upTo}` } : { nextSyncToken: syncTokenFor(upTo) }),
    };
    return failure ? injected(c, failure, answer) : c.json(answer);
  }

  const WatchBody = z.object({
    id: z.string().regex(/^[A-Za-z0-9\-_+/=]{1,64}$/),
    type: z.literal('web_hook'),
    address: z.url(),
    token: z.string().max(256).optional(),
    expiration: z.coerce.number().int().optional(),
  });

  // events.watch: a channel posting to `address` whenever the calendar's events change.
  app.post('/calendar/v3/calendars/:calendarId/events/watch', async (c) => {
    const calendarId = c.req.param('calendarId');
    const raw = await c.req.json();
    record(c, 'watch', calendarId, raw);
    const failure = failures.watch.shift();
    if (failure && 'status' in failure) return injected(c, failure);
    if (!calendars.has(calendarId)) return googleError(c, 404, 'notFound', 'Not Found');
    const body = WatchBody.safeParse(raw);
    if (!body.success) return googleError(c, 400, 'invalid', z.prettifyError(body.error));
    const address = new URL(body.data.address);
    if (address.protocol !== 'https:' && !(address.protocol === 'http:' && address.hostname === '127.0.0.1')) {
      return googleError(c, 400, 'push.webhookUrlNotHttps', `WebHook callback must be HTTPS: ${body.data.address}`);
    }
    if (channels.has(body.data.id)) return googleError(c, 400, 'channelIdNotUnique', 'Channel id not unique');
    const channel: FakeChannel = {
      id: body.data.id,
      calendarId,
      resourceId: `res-${encodeURIComponent(calendarId)}`,
      address: body.data.address,
      ...(body.data.token !== undefined ? { token: body.data.token } : {}),
      expiration: Math.min(body.data.expiration ?? Number.POSITIVE_INFINITY, now() + MAX_CHANNEL_MS),
      stopped: false,
      messageNumber: 0,
    };
    channels.set(channel.id, channel);
    notify(channel, 'sync');
    const answer = {
      kind: 'api#channel',
      id: channel.id,
      resourceId: channel.resourceId,
      resourceUri: `http://127.0.0.1:${port}/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events?alt=json`,
      ...(channel.token !== undefined ? { token: channel.token } : {}),
      expiration: String(channel.expiration),
    };
    return failure ? injected(c, failure, answer) : c.json(answer);
  });

  // channels.stop: no more notifications on the channel.
  app.post('/calendar/v3/channels/stop', async (c) => {
    const raw = await c.req.json();
    record(c, 'stop', '', raw);
    const failure = failures.stop.shift();
    if (failure && 'status' in failure) return injected(c, failure);
    const body = z.object({ id: z.string(), resourceId: z.string() }).safeParse(raw);
    if (!body.success) return googleError(c, 400, 'invalid', z.prettifyError(body.error));
    const channel = channels.get(body.data.id);
    if (!channel || channel.resourceId !== body.data.resourceId || channel.stopped) {
      return googleError(c, 404, 'notFound', `Channel '${body.data.id}' not found for project`);
    }
    channel.stopped = true;
    return failure ? injected(c, failure) : c.body(null, 204);
  });

  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;

  function record(c: Context, route: FakeRoute, calendarId: string, body: unknown) {
    requests.push({ route, method: c.req.method, calendarId, query: c.req.queries(), body });
  }

  /** Answers as the injected failure says; `answer` is what would have been sent had nothing failed. */
  async function injected(c: Context, failure: InjectedFailure, answer?: unknown) {
    if ('status' in failure)
      return googleError(c, failure.status, failure.reason ?? 'backendError', 'Injected failure');
    if ('lostAnswerMs' in failure)
      await sleep(failure.lostAnswerMs, undefined, { signal: closing.signal }).catch(() => {});
    return answer === undefined ? c.body(null, 204) : c.json(answer);
  }

  function eventsOf(calendarId: string): Map<string, StoredEvent> {
    const events = calendars.get(calendarId);
    if (!events) throw new Error(`the fake has no calendar ${calendarId}`);
    return events;
  }

  return {
    calendarId: FAKE_CALENDAR_ID,
    rootUrl: `http://127.0.0.1:${port}/`,
    serviceAccount,
    /** Every request that reached a route, in order. */
    requests,
    /** The events on a calendar as Google would return them, deleted ones included. */
    allEvents(calendarId = FAKE_CALENDAR_ID): Record<string, unknown>[] {
      return [...eventsOf(calendarId).values()].map(rendered);
    },
    /** The events that stand (not deleted). */
    liveEvents(calendarId = FAKE_CALENDAR_ID): Record<string, unknown>[] {
      return [...eventsOf(calendarId).values()].filter((e) => e.resource.status !== 'cancelled').map(rendered);
    },
    /** The next `times` requests to the route fail this way. */
    fail(route: FakeRoute, failure: InjectedFailure, times = 1) {
      for (let i = 0; i < times; i++) failures[route].push(failure);
    },
    /** What the barber does in the Google Calendar app, behind cita's back. */
    barber: {
      add(event: BarberEvent, calendarId = FAKE_CALENDAR_ID): string {
        const id = event.id ?? `barber${String(++generatedIds).padStart(6, '0')}`;
        const stored: StoredEvent = {
          resource: {
            id,
            status: 'confirmed',
            summary: event.summary ?? 'Ocupado',
            start: { dateTime: event.start },
            end: { dateTime: event.end },
            ...(event.transparent ? { transparency: 'transparent' } : {}),
          },
          changed: 0,
          startMs: Date.parse(event.start),
          endMs: Date.parse(event.end),
          timeZone: 'Europe/Madrid',
        };
        eventsOf(calendarId).set(id, stored);
        changed(calendarId, stored);
        return id;
      },
      move(id: string, start: string, end: string, calendarId = FAKE_CALENDAR_ID) {
        const event = eventsOf(calendarId).get(id);
        if (!event) throw new Error(`no event ${id} to move`);
        Object.assign(event, { startMs: Date.parse(start), endMs: Date.parse(end) });
        changed(calendarId, event);
      },
      /** Drags the event into another calendar (Google's "move to"), as events.move does. */
      moveTo(id: string, destination: string, calendarId = FAKE_CALENDAR_ID) {
        const event = eventsOf(calendarId).get(id);
        if (!event) throw new Error(`no event ${id} to move`);
        const left = { ...event, resource: { ...event.resource, status: 'cancelled' } };
        eventsOf(calendarId).set(id, left);
        changed(calendarId, left);
        eventsOf(destination).set(id, event);
        changed(destination, event);
      },
      /** Edits the title only. */
      rename(id: string, summary: string, calendarId = FAKE_CALENDAR_ID) {
        const event = eventsOf(calendarId).get(id);
        if (!event) throw new Error(`no event ${id} to rename`);
        event.resource.summary = summary;
        changed(calendarId, event);
      },
      delete(id: string, calendarId = FAKE_CALENDAR_ID) {
        const event = eventsOf(calendarId).get(id);
        if (!event) throw new Error(`no event ${id} to delete`);
        event.resource.status = 'cancelled';
        changed(calendarId, event);
      },
    },
    /** Makes every sync token given so far too old: using one answers 410 Gone. */
    expireSyncTokens() {
      tokenEpoch += 1;
    },
    /** The push channels opened, stopped ones included. */
    channels(): FakeChannel[] {
      return [...channels.values()];
    },
    /** Every notification POSTed, with the receiver's answer. */
    notifications,
    /** Resolves once every notification sent so far has been answered. */
    async notificationsDelivered(): Promise<void> {
      while (deliveries.size > 0) await Promise.all([...deliveries]);
    },
    async close(): Promise<void> {
      closing.abort();
      server.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
    },
  };
}

export type FakeGoogleCalendar = Awaited<ReturnType<typeof startFakeGoogleCalendar>>;

/** How long Google lets an events channel live at most (the fake's choice: a week). */
const MAX_CHANNEL_MS = 7 * 24 * 60 * 60_000;

/** A deleted event as incremental sync gives it: little more than its id and status. */
function deletedStub(event: StoredEvent): Record<string, unknown> {
  return { kind: 'calendar#event', id: event.resource.id, status: 'cancelled' };
}

/** Busy time over the window, as Google gives it: clipped to the window, overlaps merged, in order. */
function busyIn(events: Map<string, StoredEvent>, from: number, to: number) {
  const busy = [...events.values()]
    .filter((e) => e.resource.status !== 'cancelled' && e.resource.transparency !== 'transparent')
    .filter((e) => e.startMs < to && e.endMs > from)
    .map((e) => [Math.max(e.startMs, from), Math.min(e.endMs, to)] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of busy) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged.map(([start, end]) => ({ start: new Date(start).toISOString(), end: new Date(end).toISOString() }));
}

/** The event as Google returns it: times in the event's own timezone, with its offset. */
function rendered(event: StoredEvent): Record<string, unknown> {
  const at = (ms: number) => ({
    dateTime: DateTime.fromMillis(ms, { zone: event.timeZone }).toISO({ suppressMilliseconds: true }),
    timeZone: event.timeZone,
  });
  return structuredClone({ ...event.resource, start: at(event.startMs), end: at(event.endMs) });
}

function privateProperties(event: StoredEvent): Record<string, string> {
  const parsed = z
    .object({ extendedProperties: z.object({ private: z.record(z.string(), z.string()) }) })
    .safeParse(event.resource);
  return parsed.success ? parsed.data.extendedProperties.private : {};
}

function googleError(c: Context, status: number, reason: string, message: string) {
  return c.json({ error: { errors: [{ domain: 'global', reason, message }], code: status, message } }, status as 400);
}

function isValidJwt(token: string, publicKey: KeyObject, email: string): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return false;
  if (!verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))) {
    return false;
  }
  const claims = z
    .object({ iss: z.string(), scope: z.string(), exp: z.number() })
    .safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString()));
  return (
    claims.success &&
    claims.data.iss === email &&
    claims.data.scope.split(' ').includes(CALENDAR_SCOPE) &&
    claims.data.exp * 1000 > Date.now()
  );
}
