import { auth, calendar_v3 } from '@googleapis/calendar';
import { z } from 'zod';
import type { Language } from '../../config/schema.ts';
import {
  type Appointment,
  type BusyInterval,
  type Calendar,
  type CalendarChange,
  type CalendarChanges,
  CalendarUnavailable,
  type ChangesRead,
  type Interval,
  type TimeBlock,
} from '../../src/engine/ports.ts';
import type { ServiceAccount } from './credentials.ts';
import {
  appointmentFrom,
  blockEventFor,
  bookingIdOf,
  busyByBarberFrom,
  busyFrom,
  CalendarEvent,
  EventList,
  eventFor,
  isCancelled,
} from './events.ts';
import { DEFAULT_RETRY_POLICY, describeFailure, type RetryPolicy, statusOf, withRetries } from './retry.ts';

/**
 * A Google call that failed for good (not for a passing reason), with the HTTP status Google
 * answered. The client's error is not kept as `cause`: it holds the request, bearer token and
 * URL (with the phone a search was for), and errors end up in logs.
 */
export class GoogleApiError extends CalendarUnavailable {
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined) {
    super(message);
    this.status = status;
  }
}

function isStatus(error: unknown, ...statuses: number[]): boolean {
  return error instanceof GoogleApiError && error.status !== undefined && statuses.includes(error.status);
}

/** Scope of every call cita makes: read free/busy, write and delete its own events. */
export const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

/** How long one HTTP request to Google may take before it counts as lost, in milliseconds. */
export const REQUEST_TIMEOUT_MS = 5_000;

export interface GoogleCalendarOptions {
  /** The shop's calendar, e.g. `abc123@group.calendar.google.com`, shared with the service account. */
  calendarId: string;
  /** The shop's IANA timezone: free/busy is asked, and events are written, in it. */
  timeZone: string;
  /** The shop's default language: events are described in it, for the barber. */
  language: Language;
  serviceAccount: ServiceAccount;
  /** Another API root (the fake Calendar API in tests). Must end with "/". */
  rootUrl?: string;
  requestTimeoutMs?: number;
  retry?: RetryPolicy;
  /**
   * The shop's barbers: one with a `calendarId` has their appointments in that calendar (shared
   * with the service account too); the others' go to the shop calendar, marked with their id.
   */
  barbers?: { id: string; name?: string; calendarId?: string }[];
  /** The shop's clock: a full read of the calendar starts a day before its now. */
  clock?: () => Date;
}

/** Google's answer to events.watch: the channel's resource id and its end (ms since the epoch, as a string). */
const WatchAnswer = z.object({ resourceId: z.string().min(1), expiration: z.coerce.string().regex(/^\d+$/) });

/** How many event ids the adapter remembers the calendar of, so a get or cancel asks one calendar. */
const REMEMBERED_EVENTS = 10_000;

/**
 * The shop's Google Calendar as cita's calendar: busy time comes from free/busy (so events the
 * barber adds, moves or deletes by hand count), and each booking is one event whose id is the
 * booking id, so a repeated write can never make a second event.
 *
 * @example
 * const calendar = new GoogleCalendar({ calendarId, timeZone: 'Europe/Madrid', language: 'es', serviceAccount });
 * await calendar.busy({ start: '2026-11-25T00:00:00Z', end: '2026-11-26T00:00:00Z' });
 */
export class GoogleCalendar implements Calendar, CalendarChanges {
  readonly #api: calendar_v3.Calendar;
  readonly #calendarId: string;
  readonly #timeZone: string;
  readonly #language: Language;
  readonly #retry: RetryPolicy;
  readonly #serviceAccountEmail: string;
  readonly #barbers: { id: string; name?: string; calendarId?: string }[];
  /** Barbers' own calendars → barber id. */
  readonly #ownCalendars: Map<string, string>;
  /** Whether some barber's appointments sit in the shop calendar, which then needs reading by event. */
  readonly #sharesShopCalendar: boolean;
  /** Event id → the calendar it was last seen in. */
  readonly #calendarOfEvent = new Map<string, string>();
  readonly #clock: () => Date;

  constructor(options: GoogleCalendarOptions) {
    if (options.rootUrl && !options.rootUrl.endsWith('/')) {
      throw new Error(`the Google API root URL must end with "/" (got ${options.rootUrl})`);
    }
    const jwt = new auth.JWT({
      email: options.serviceAccount.client_email,
      key: options.serviceAccount.private_key,
      keyId: options.serviceAccount.private_key_id,
      scopes: [CALENDAR_SCOPE],
    });
    // A self-signed JWT per request instead of a token exchange: one round trip less, and no call
    // to Google's token endpoint, which keeps tests against the fake API offline.
    jwt.useJWTAccessWithScope = true;
    this.#api = new calendar_v3.Calendar({
      auth: jwt,
      ...(options.rootUrl ? { rootUrl: options.rootUrl } : {}),
      timeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      // Our own retries (retry.ts) cover every method the same way; the client's would stack on top.
      retry: false,
    });
    this.#calendarId = options.calendarId;
    this.#timeZone = options.timeZone;
    this.#language = options.language;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#serviceAccountEmail = options.serviceAccount.client_email;
    this.#barbers = options.barbers ?? [];
    this.#clock = options.clock ?? (() => new Date());
    this.#ownCalendars = new Map(
      this.#barbers.flatMap((b) => (b.calendarId && b.calendarId !== options.calendarId ? [[b.calendarId, b.id]] : [])),
    );
    this.#sharesShopCalendar = this.#barbers.some((b) => !b.calendarId || b.calendarId === options.calendarId);
  }

  /**
   * One free/busy call for the whole window, over the shop's calendar and every barber's own:
   * an event in a barber's own calendar takes only that barber's chair. When some barbers share
   * the shop calendar, it is read by event instead (free/busy cannot say whose an event is).
   * Throws CalendarUnavailable when Google cannot tell.
   */
  async busy(window: Interval): Promise<BusyInterval[]> {
    const own = [...this.#ownCalendars.keys()];
    const freeBusyOf = this.#sharesShopCalendar && this.#barbers.length > 0 ? own : [this.#calendarId, ...own];
    const [free, shared] = await Promise.all([
      freeBusyOf.length > 0 ? this.#freeBusy(window, freeBusyOf) : undefined,
      this.#sharesShopCalendar && this.#barbers.length > 0 ? this.#sharedCalendarBusy(window) : [],
    ]);
    const busy: BusyInterval[] = [...shared];
    for (const calendarId of freeBusyOf) {
      const barberId = this.#ownCalendars.get(calendarId);
      const hint = this.#shareHint(calendarId);
      for (const interval of busyFrom(free, calendarId, hint))
        busy.push(barberId ? { ...interval, barberId } : interval);
    }
    return busy;
  }

  async #freeBusy(window: Interval, calendarIds: string[]) {
    const response = await this.#call('freebusy.query', () =>
      this.#api.freebusy.query({
        requestBody: {
          timeMin: window.start,
          timeMax: window.end,
          timeZone: this.#timeZone,
          items: calendarIds.map((id) => ({ id })),
        },
      }),
    );
    return response.data;
  }

  async #sharedCalendarBusy(window: Interval): Promise<BusyInterval[]> {
    const items: unknown[] = [];
    let pageToken: string | undefined;
    do {
      const response = await this.#call('events.list', () =>
        this.#api.events.list({
          calendarId: this.#calendarId,
          singleEvents: true,
          timeMin: window.start,
          timeMax: window.end,
          timeZone: this.#timeZone,
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      const page = EventList.parse(response.data);
      items.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return busyByBarberFrom(items, this.#timeZone);
  }

  async create(appointment: Appointment): Promise<Appointment> {
    const calendarId = this.#calendarFor(appointment.barberId);
    try {
      const response = await this.#call('events.insert', () =>
        this.#api.events.insert({
          calendarId,
          sendUpdates: 'none',
          requestBody: this.#eventFor(appointment),
        }),
      );
      this.#remember(appointment.id, calendarId);
      return appointmentFrom(response.data) ?? appointment;
    } catch (error) {
      if (!isStatus(error, 409)) throw error;
      return this.#alreadyWritten(appointment);
    }
  }

  async get(id: string): Promise<Appointment | undefined> {
    const found = await this.#find(id);
    return found === undefined ? undefined : this.#inCalendar(appointmentFrom(found.event), found.calendarId);
  }

  /** A barber's own calendar says whose chair an event takes (the owner may have dragged it there). */
  #inCalendar(appointment: Appointment | undefined, calendarId: string): Appointment | undefined {
    const barberId = this.#ownCalendars.get(calendarId);
    return appointment && barberId ? { ...appointment, barberId } : appointment;
  }

  async cancel(id: string): Promise<void> {
    const found = await this.#find(id);
    if (found === undefined) return;
    try {
      await this.#call('events.delete', () =>
        this.#api.events.delete({ calendarId: found.calendarId, eventId: id, sendUpdates: 'none' }),
      );
    } catch (error) {
      // Already gone (410) or never there (404): what the caller wanted is true.
      if (isStatus(error, 404, 410)) return;
      throw error;
    }
  }

  /**
   * Moves the event in one patch (same id), so the customer never has none or two. A move to a
   * barber with another calendar first moves the event there (Google's events.move), then patches it.
   */
  async reschedule(appointment: Appointment): Promise<Appointment> {
    const { id: _, ...changes } = this.#eventFor(appointment);
    const target = this.#calendarFor(appointment.barberId);
    const found = await this.#find(appointment.id);
    if (found && found.calendarId !== target) {
      await this.#call('events.move', () =>
        this.#api.events.move({
          calendarId: found.calendarId,
          eventId: appointment.id,
          destination: target,
          sendUpdates: 'none',
        }),
      );
      this.#remember(appointment.id, target);
    }
    const response = await this.#call('events.patch', () =>
      this.#api.events.patch({
        calendarId: target,
        eventId: appointment.id,
        sendUpdates: 'none',
        requestBody: changes,
      }),
    );
    const moved = appointmentFrom(response.data);
    // Google answers a patch of a deleted event with the event, still cancelled: the move found nothing to move.
    if (!moved) throw new CalendarUnavailable(`booking ${appointment.id} is no longer in the calendar`);
    return moved;
  }

  /** The phone's appointments in the shop's calendar and every barber's, soonest first. */
  async upcomingFor(phone: string, from: Date): Promise<Appointment[]> {
    const lists = await Promise.all(
      this.#allCalendars().map((calendarId) =>
        this.#list(calendarId, { privateExtendedProperty: [`phone=${phone}`], timeMin: from.toISOString() }),
      ),
    );
    // timeMin keeps events still running at `from`; the port wants those starting at or after it.
    return lists
      .flat()
      .filter((appointment) => Date.parse(appointment.start) >= from.getTime())
      .sort((a, b) => a.start.localeCompare(b.start));
  }

  /** cita's own events in the window, in the shop's calendar and every barber's; other events count as busy, not as appointments. */
  async between(window: Interval): Promise<Appointment[]> {
    const lists = await Promise.all(
      this.#allCalendars().map((calendarId) => this.#list(calendarId, { timeMin: window.start, timeMax: window.end })),
    );
    return lists.flat().sort((a, b) => a.start.localeCompare(b.start));
  }

  /** An ordinary busy event in the barber's calendar (the shop's without one), so free/busy counts it and the barber sees it. */
  async block(block: TimeBlock): Promise<void> {
    try {
      await this.#call('events.insert', () =>
        this.#api.events.insert({
          calendarId: this.#calendarFor(block.barberId),
          sendUpdates: 'none',
          requestBody: blockEventFor(block, this.#timeZone),
        }),
      );
    } catch (error) {
      // The same block written before (its answer was lost): already there.
      if (!isStatus(error, 409)) throw error;
    }
  }

  async #list(calendarId: string, query: { privateExtendedProperty?: string[]; timeMin: string; timeMax?: string }) {
    const appointments: Appointment[] = [];
    let pageToken: string | undefined;
    do {
      const response = await this.#call('events.list', () =>
        this.#api.events.list({
          calendarId,
          singleEvents: true,
          orderBy: 'startTime',
          timeZone: this.#timeZone,
          ...query,
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      const page = EventList.parse(response.data);
      for (const item of page.items) {
        const appointment = this.#inCalendar(appointmentFrom(item), calendarId);
        if (appointment) {
          appointments.push(appointment);
          this.#remember(appointment.id, calendarId);
        }
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return appointments;
  }

  /** The calendars cita books into: the shop's and each barber's own. */
  sources(): string[] {
    return this.#allCalendars();
  }

  /**
   * Google's incremental sync: `events.list` with the sync token, every page, deleted events
   * included (status "cancelled"). No token yet: a full read, only for the token (nothing before
   * now is news). A token Google no longer takes (410 Gone): a full read again, every event
   * reported, so nothing changed in between is missed.
   */
  async changesSince(source: string, position: string | undefined): Promise<ChangesRead> {
    if (position !== undefined) {
      try {
        return await this.#sync(source, { syncToken: position });
      } catch (error) {
        if (!isStatus(error, 410)) throw error;
      }
      return { ...(await this.#sync(source, { timeMin: this.#resyncFrom() })), resynced: true };
    }
    return { ...(await this.#sync(source, { timeMin: this.#resyncFrom() })), changes: [] };
  }

  async #sync(calendarId: string, query: { syncToken?: string; timeMin?: string }): Promise<ChangesRead> {
    const changes: CalendarChange[] = [];
    let pageToken: string | undefined;
    for (;;) {
      const response = await this.#call('events.list', () =>
        this.#api.events.list({
          calendarId,
          showDeleted: true,
          ...query,
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      const page = EventList.extend({ nextSyncToken: EventList.shape.nextPageToken }).parse(response.data);
      for (const item of page.items) changes.push(this.#changeFrom(item, calendarId));
      pageToken = page.nextPageToken;
      if (pageToken) continue;
      if (!page.nextSyncToken) throw new GoogleApiError('Google Calendar events.list answered no nextSyncToken', 200);
      return { changes, position: page.nextSyncToken };
    }
  }

  #changeFrom(item: unknown, calendarId: string): CalendarChange {
    const event = CalendarEvent.parse(item);
    const appointment = this.#inCalendar(appointmentFrom(item), calendarId);
    if (appointment) this.#remember(appointment.id, calendarId);
    return {
      eventId: event.id,
      status: event.status === 'cancelled' ? 'cancelled' : 'confirmed',
      ...(appointment && { appointment }),
    };
  }

  /** A full read covers what may still matter to a customer: from a day back. */
  #resyncFrom(): string {
    return new Date(this.#clock().getTime() - 24 * 60 * 60_000).toISOString();
  }

  /**
   * Opens a push channel on a calendar's events (`events.watch`): Google POSTs to `address` when
   * they change. Answers Google's resource id and when the channel ends.
   */
  async watch(
    calendarId: string,
    channel: { id: string; token: string; address: string; expiresAt?: number },
  ): Promise<{ resourceId: string; expiresAt: number }> {
    const response = await this.#call('events.watch', () =>
      this.#api.events.watch({
        calendarId,
        requestBody: {
          id: channel.id,
          type: 'web_hook',
          address: channel.address,
          token: channel.token,
          ...(channel.expiresAt ? { expiration: String(channel.expiresAt) } : {}),
        },
      }),
    );
    const answer = WatchAnswer.parse(response.data);
    return { resourceId: answer.resourceId, expiresAt: Number(answer.expiration) };
  }

  /** Stops a channel (`channels.stop`); one Google no longer knows is already stopped. */
  async stopChannel(id: string, resourceId: string): Promise<void> {
    try {
      await this.#call('channels.stop', () => this.#api.channels.stop({ requestBody: { id, resourceId } }));
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
    }
  }

  /**
   * The insert hit an existing id: usually our own earlier attempt whose answer was lost. It counts
   * as written only when that event is this booking and still stands.
   */
  async #alreadyWritten(appointment: Appointment): Promise<Appointment> {
    const event = await this.#event(this.#calendarFor(appointment.barberId), appointment.id);
    if (event === undefined || bookingIdOf(event) !== appointment.id) {
      throw new Error(`Google Calendar already has a different event with id ${appointment.id}`);
    }
    if (isCancelled(event)) {
      // Recreating it would undo whoever deleted it; a new booking attempt gets a new id.
      throw new CalendarUnavailable(`booking ${appointment.id} was written before and has since been deleted`);
    }
    return appointmentFrom(event) ?? appointment;
  }

  /**
   * The raw event and its calendar: where it was last seen, else the shop's calendar, then each
   * barber's. A shop without barbers asks its one calendar, as before.
   */
  async #find(id: string): Promise<{ event: unknown; calendarId: string } | undefined> {
    const known = this.#calendarOfEvent.get(id);
    const order = known ? [known, ...this.#allCalendars().filter((c) => c !== known)] : this.#allCalendars();
    let deleted: { event: unknown; calendarId: string } | undefined;
    for (const calendarId of order) {
      const event = await this.#event(calendarId, id);
      if (event === undefined) continue;
      // Moved to another barber's calendar by hand, it may stand there and lie deleted here.
      if (isCancelled(event)) {
        deleted ??= { event, calendarId };
        continue;
      }
      this.#remember(id, calendarId);
      return { event, calendarId };
    }
    return deleted;
  }

  /** The raw event (cancelled ones included, as Google keeps them), or undefined when there is none. */
  async #event(calendarId: string, id: string): Promise<unknown> {
    try {
      const response = await this.#call('events.get', () => this.#api.events.get({ calendarId, eventId: id }));
      return response.data;
    } catch (error) {
      if (isStatus(error, 404, 410)) return undefined;
      throw error;
    }
  }

  #shareHint(calendarId = this.#calendarId): string {
    return `; check that calendar ${calendarId} is shared with ${this.#serviceAccountEmail} ("Make changes to events")`;
  }

  /** The calendar a barber's appointments go to: their own, else the shop's. */
  #calendarFor(barberId: string | undefined): string {
    return this.#barbers.find((b) => b.id === barberId)?.calendarId ?? this.#calendarId;
  }

  #allCalendars(): string[] {
    return [this.#calendarId, ...this.#ownCalendars.keys()];
  }

  #eventFor(appointment: Appointment) {
    const barberName = this.#barbers.find((b) => b.id === appointment.barberId)?.name;
    return eventFor(appointment, this.#timeZone, this.#language, barberName);
  }

  #remember(id: string, calendarId: string) {
    this.#calendarOfEvent.delete(id);
    this.#calendarOfEvent.set(id, calendarId);
    // A Map iterates oldest first: forget the oldest beyond the limit.
    if (this.#calendarOfEvent.size > REMEMBERED_EVENTS) {
      this.#calendarOfEvent.delete(this.#calendarOfEvent.keys().next().value as string);
    }
  }

  /**
   * One API call with retries. Whatever fails for good becomes a GoogleApiError (a
   * CalendarUnavailable), so no caller mistakes a failed read for a free or empty calendar.
   */
  async #call<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(what, call, this.#retry);
    } catch (error) {
      if (error instanceof CalendarUnavailable) throw error;
      const status = statusOf(error);
      const hint = status === 401 || status === 403 || status === 404 ? this.#shareHint() : '';
      throw new GoogleApiError(`Google Calendar ${what} failed: ${describeFailure(error)}${hint}`, status);
    }
  }
}
