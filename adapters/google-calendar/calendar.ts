import { auth, calendar_v3 } from '@googleapis/calendar';
import type { Language } from '../../config/schema.ts';
import {
  type Appointment,
  type Calendar,
  CalendarUnavailable,
  type Interval,
  type TimeBlock,
} from '../../src/engine/ports.ts';
import type { ServiceAccount } from './credentials.ts';
import { appointmentFrom, blockEventFor, bookingIdOf, busyFrom, EventList, eventFor, isCancelled } from './events.ts';
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
}

/**
 * The shop's Google Calendar as cita's calendar: busy time comes from free/busy (so events the
 * barber adds, moves or deletes by hand count), and each booking is one event whose id is the
 * booking id, so a repeated write can never make a second event.
 *
 * @example
 * const calendar = new GoogleCalendar({ calendarId, timeZone: 'Europe/Madrid', language: 'es', serviceAccount });
 * await calendar.busy({ start: '2026-11-25T00:00:00Z', end: '2026-11-26T00:00:00Z' });
 */
export class GoogleCalendar implements Calendar {
  readonly #api: calendar_v3.Calendar;
  readonly #calendarId: string;
  readonly #timeZone: string;
  readonly #language: Language;
  readonly #retry: RetryPolicy;
  readonly #serviceAccountEmail: string;

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
  }

  /** One free/busy call for the whole window. Throws CalendarUnavailable when Google cannot tell. */
  async busy(window: Interval): Promise<Interval[]> {
    const response = await this.#call('freebusy.query', () =>
      this.#api.freebusy.query({
        requestBody: {
          timeMin: window.start,
          timeMax: window.end,
          timeZone: this.#timeZone,
          items: [{ id: this.#calendarId }],
        },
      }),
    );
    return busyFrom(response.data, this.#calendarId, this.#shareHint());
  }

  async create(appointment: Appointment): Promise<Appointment> {
    try {
      const response = await this.#call('events.insert', () =>
        this.#api.events.insert({
          calendarId: this.#calendarId,
          sendUpdates: 'none',
          requestBody: eventFor(appointment, this.#timeZone, this.#language),
        }),
      );
      return appointmentFrom(response.data) ?? appointment;
    } catch (error) {
      if (!isStatus(error, 409)) throw error;
      return this.#alreadyWritten(appointment);
    }
  }

  async get(id: string): Promise<Appointment | undefined> {
    const event = await this.#event(id);
    return event === undefined ? undefined : appointmentFrom(event);
  }

  async cancel(id: string): Promise<void> {
    try {
      await this.#call('events.delete', () =>
        this.#api.events.delete({ calendarId: this.#calendarId, eventId: id, sendUpdates: 'none' }),
      );
    } catch (error) {
      // Already gone (410) or never there (404): what the caller wanted is true.
      if (isStatus(error, 404, 410)) return;
      throw error;
    }
  }

  /** Moves the event in one patch (same id), so the customer never has none or two. */
  async reschedule(appointment: Appointment): Promise<Appointment> {
    const { id: _, ...changes } = eventFor(appointment, this.#timeZone, this.#language);
    const response = await this.#call('events.patch', () =>
      this.#api.events.patch({
        calendarId: this.#calendarId,
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

  async upcomingFor(phone: string, from: Date): Promise<Appointment[]> {
    const appointments = await this.#list({ privateExtendedProperty: [`phone=${phone}`], timeMin: from.toISOString() });
    // timeMin keeps events still running at `from`; the port wants those starting at or after it.
    return appointments.filter((appointment) => Date.parse(appointment.start) >= from.getTime());
  }

  /** cita's own events in the window; the barber's other events count as busy, not as appointments. */
  between(window: Interval): Promise<Appointment[]> {
    return this.#list({ timeMin: window.start, timeMax: window.end });
  }

  /** An ordinary busy event, so free/busy counts it and the barber sees it in their calendar. */
  async block(block: TimeBlock): Promise<void> {
    try {
      await this.#call('events.insert', () =>
        this.#api.events.insert({
          calendarId: this.#calendarId,
          sendUpdates: 'none',
          requestBody: blockEventFor(block, this.#timeZone),
        }),
      );
    } catch (error) {
      // The same block written before (its answer was lost): already there.
      if (!isStatus(error, 409)) throw error;
    }
  }

  async #list(query: { privateExtendedProperty?: string[]; timeMin: string; timeMax?: string }) {
    const appointments: Appointment[] = [];
    let pageToken: string | undefined;
    do {
      const response = await this.#call('events.list', () =>
        this.#api.events.list({
          calendarId: this.#calendarId,
          singleEvents: true,
          orderBy: 'startTime',
          timeZone: this.#timeZone,
          ...query,
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      const page = EventList.parse(response.data);
      for (const item of page.items) {
        const appointment = appointmentFrom(item);
        if (appointment) appointments.push(appointment);
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return appointments;
  }

  /**
   * The insert hit an existing id: usually our own earlier attempt whose answer was lost. It counts
   * as written only when that event is this booking and still stands.
   */
  async #alreadyWritten(appointment: Appointment): Promise<Appointment> {
    const event = await this.#event(appointment.id);
    if (event === undefined || bookingIdOf(event) !== appointment.id) {
      throw new Error(`Google Calendar already has a different event with id ${appointment.id}`);
    }
    if (isCancelled(event)) {
      // Recreating it would undo whoever deleted it; a new booking attempt gets a new id.
      throw new CalendarUnavailable(`booking ${appointment.id} was written before and has since been deleted`);
    }
    return appointmentFrom(event) ?? appointment;
  }

  /** The raw event (cancelled ones included, as Google keeps them), or undefined when there is none. */
  async #event(id: string): Promise<unknown> {
    try {
      const response = await this.#call('events.get', () =>
        this.#api.events.get({ calendarId: this.#calendarId, eventId: id }),
      );
      return response.data;
    } catch (error) {
      if (isStatus(error, 404, 410)) return undefined;
      throw error;
    }
  }

  #shareHint(): string {
    return `; check that calendar ${this.#calendarId} is shared with ${this.#serviceAccountEmail} ("Make changes to events")`;
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
