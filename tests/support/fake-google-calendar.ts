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
 * - every request must carry a self-signed JWT from the test service account with the calendar scope.
 * Failures are injected per route with `fail` (HTTP errors, free/busy `errors[]`, lost answers).
 */

export const FAKE_CALENDAR_ID = 'barberia@group.calendar.google.com';

/** The API routes the fake serves, for failure injection and for reading the request log. */
export type FakeRoute = 'freeBusy' | 'insert' | 'get' | 'patch' | 'delete' | 'list' | 'move';

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
export async function startFakeGoogleCalendar(options: { pageSize?: number; calendars?: string[] } = {}) {
  const pageSize = options.pageSize ?? 250;
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
  };
  const requests: RecordedRequest[] = [];
  const closing = new AbortController();
  let generatedIds = 0;

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
      startMs: Date.parse(body.data.start.dateTime),
      endMs: Date.parse(body.data.end.dateTime),
      timeZone: body.data.start.timeZone ?? 'UTC',
    };
    events.set(id, stored);
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
    if (to.has(event.resource.id)) return googleError(c, 409, 'duplicate', 'The requested identifier already exists.');
    from!.delete(event.resource.id);
    to.set(event.resource.id, event);
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
    const answer = { kind: 'calendar#events', items: page.map(rendered), ...(nextPageToken ? { nextPageToken } : {}) };
    return failure ? injected(c, failure, answer) : c.json(answer);
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
        eventsOf(calendarId).set(id, {
          resource: {
            id,
            status: 'confirmed',
            summary: event.summary ?? 'Ocupado',
            start: { dateTime: event.start },
            end: { dateTime: event.end },
            ...(event.transparent ? { transparency: 'transparent' } : {}),
          },
          startMs: Date.parse(event.start),
          endMs: Date.parse(event.end),
          timeZone: 'Europe/Madrid',
        });
        return id;
      },
      move(id: string, start: string, end: string, calendarId = FAKE_CALENDAR_ID) {
        const event = eventsOf(calendarId).get(id);
        if (!event) throw new Error(`no event ${id} to move`);
        Object.assign(event, { startMs: Date.parse(start), endMs: Date.parse(end) });
      },
      delete(id: string, calendarId = FAKE_CALENDAR_ID) {
        const event = eventsOf(calendarId).get(id);
        if (!event) throw new Error(`no event ${id} to delete`);
        event.resource.status = 'cancelled';
      },
    },
    async close(): Promise<void> {
      closing.abort();
      server.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
    },
  };
}

export type FakeGoogleCalendar = Awaited<ReturnType<typeof startFakeGoogleCalendar>>;

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
