import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import {
  Appointment,
  type BusyInterval,
  type Calendar,
  type CalendarChange,
  type CalendarChanges,
  type ChangesRead,
  type Interval,
  TimeBlock,
} from '../../src/engine/ports.ts';
import { evalReplicated, type RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';
import { defineScript, type Script } from './script.ts';

/** How many changes the change log keeps (about): far more than the syncs read between two looks. */
const CHANGES_KEPT = 100_000;

/** Changes read from the log at a time. */
const CHANGES_PER_READ = 500;

/**
 * KEYS: appointments hash, by-end index, the phone's by-start index, change log. ARGV: id, JSON, end
 * ms, start ms. Writing an id that exists answers the stored appointment and writes nothing
 * (idempotent booking).
 */
const CREATE = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored then return stored end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ${CHANGES_KEPT}, '*', 'id', ARGV[1], 'status', 'confirmed', 'appointment', ARGV[2])
return ARGV[2]`;

/** KEYS: appointments hash, by-end index, change log; ARGV: id, phone index prefix. */
const CANCEL = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', ARGV[2] .. cjson.decode(stored).phone, ARGV[1])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ${CHANGES_KEPT}, '*', 'id', ARGV[1], 'status', 'cancelled')
return 1`;

/** KEYS as for CREATE; ARGV: id, JSON, end ms, start ms, phone index prefix. One write: never zero or two appointments. */
const RESCHEDULE = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return false end
local merged = cjson.decode(stored)
for field, value in pairs(cjson.decode(ARGV[2])) do merged[field] = value end
local json = cjson.encode(merged)
redis.call('ZREM', ARGV[5] .. cjson.decode(stored).phone, ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], json)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ${CHANGES_KEPT}, '*', 'id', ARGV[1], 'status', 'confirmed', 'appointment', json)
return json`;

/** KEYS: blocks hash, blocks by-end index; ARGV: id, JSON, end ms. An id written before writes nothing. */
const BLOCK = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
return 1`;

/** No service lasts longer than this (the config allows 8 hours). */
const LONGEST_APPOINTMENT_MS = 24 * 60 * 60_000;

export interface RedisCalendarOptions {
  prefix?: string;
  /** The shop whose data this is (default: the single-shop set-up's). */
  shop?: string;
}

/**
 * The shop's appointments in Redis, used with `REDIS_URL` when no Google Calendar is configured,
 * so every process sees every booking (the local calendar file is one machine's). A hash of
 * appointments by id, an index by end time for busy-time queries and one by start per phone. All
 * keys share the hash tag `{calendar}`: the shop's calendar is one slot on Redis Cluster.
 */
export class RedisCalendar implements Calendar, CalendarChanges {
  readonly #redis: RedisClient;
  readonly #keys;
  readonly #scripts: Record<'create' | 'reschedule' | 'cancel' | 'block', Script>;

  constructor(redis: RedisClient, options: RedisCalendarOptions = {}) {
    this.#redis = redis;
    this.#keys = redisKeys(options.prefix ?? DEFAULT_PREFIX, 1, options.shop ?? DEFAULT_SHOP_ID);
    this.#scripts = {
      create: defineScript(redis, 'citaCalendarCreate', CREATE),
      reschedule: defineScript(redis, 'citaCalendarReschedule', RESCHEDULE),
      cancel: defineScript(redis, 'citaCalendarCancel', CANCEL),
      block: defineScript(redis, 'citaCalendarBlock', BLOCK),
    };
  }

  sources(): string[] {
    return ['store'];
  }

  /** Positions are the change log's stream ids; no position starts from the end (nothing is old news). */
  async changesSince(_source: string, position: string | undefined): Promise<ChangesRead> {
    if (position === undefined) {
      const [last] = await this.#redis.xrevrange(this.#changes, '+', '-', 'COUNT', 1);
      return { changes: [], position: last?.[0] ?? '0-0' };
    }
    const changes: CalendarChange[] = [];
    let from = position;
    for (;;) {
      const entries = await this.#redis.xrange(this.#changes, `(${from}`, '+', 'COUNT', CHANGES_PER_READ);
      for (const [id, fields] of entries) {
        const field = (name: string) => (fields.includes(name) ? fields[fields.indexOf(name) + 1] : undefined);
        const appointment = field('appointment');
        changes.push({
          eventId: field('id') ?? '',
          status: field('status') === 'cancelled' ? 'cancelled' : 'confirmed',
          ...(appointment && { appointment: Appointment.parse(JSON.parse(appointment)) }),
        });
        from = id;
      }
      if (entries.length < CHANGES_PER_READ) return { changes, position: from };
    }
  }

  async busy(window: Interval): Promise<BusyInterval[]> {
    const [appointments, blocks] = await Promise.all([this.between(window), this.#blocksIn(window)]);
    // A barber's appointment or block is that barber's busy time; one without a barber is the whole shop's.
    return [...appointments, ...blocks]
      .map(({ start, end, barberId }) => ({ start, end, ...(barberId !== undefined && { barberId }) }))
      .sort((a, b) => a.start.localeCompare(b.start));
  }

  async between(window: Interval): Promise<Appointment[]> {
    const [from, to] = [Date.parse(window.start), Date.parse(window.end)];
    // Only appointments ending inside the window, or within a day after it, can overlap it: the
    // read stays the size of the window, not of every future booking.
    const ids = await this.#redis.zrangebyscore(this.#byEnd, `(${from}`, to + LONGEST_APPOINTMENT_MS);
    return (await this.#load(ids))
      .filter((a) => Date.parse(a.start) < to && Date.parse(a.end) > from)
      .sort((a, b) => a.start.localeCompare(b.start));
  }

  async block(block: TimeBlock): Promise<void> {
    const valid = TimeBlock.parse(block);
    await this.#scripts.block(
      [this.#blocks, this.#blocksByEnd],
      [valid.id, JSON.stringify(valid), Date.parse(valid.end)],
    );
  }

  /** Blocks overlapping the window; a block may last days ("de vacaciones"), so its start is checked here. */
  async #blocksIn(window: Interval): Promise<TimeBlock[]> {
    const [from, to] = [Date.parse(window.start), Date.parse(window.end)];
    const ids = await this.#redis.zrangebyscore(this.#blocksByEnd, `(${from}`, '+inf');
    if (ids.length === 0) return [];
    const stored = await this.#redis.hmget(this.#blocks, ...ids);
    return stored
      .flatMap((json) => (json === null ? [] : [TimeBlock.parse(JSON.parse(json))]))
      .filter((b) => Date.parse(b.start) < to);
  }

  async create(appointment: Appointment): Promise<Appointment> {
    const valid = Appointment.parse(appointment);
    // Copied to a replica before it counts: a booking lost with its master would free its slot for another.
    const stored = await evalReplicated(
      this.#redis,
      this.#scripts.create,
      this.#writeKeys(valid),
      this.#writeArgs(valid),
    );
    return Appointment.parse(JSON.parse(String(stored)));
  }

  async get(id: string): Promise<Appointment | undefined> {
    const stored = await this.#redis.hget(this.#appointments, id);
    return stored === null ? undefined : Appointment.parse(JSON.parse(stored));
  }

  async cancel(id: string): Promise<void> {
    await this.#scripts.cancel([this.#appointments, this.#byEnd, this.#changes], [id, this.#byPhone('')]);
  }

  async reschedule(appointment: Appointment): Promise<Appointment> {
    const valid = Appointment.parse(appointment);
    const args = [...this.#writeArgs(valid), this.#byPhone('')];
    const stored = await evalReplicated(this.#redis, this.#scripts.reschedule, this.#writeKeys(valid), args);
    if (stored === null) throw new Error(`no appointment ${valid.id} to move`);
    return Appointment.parse(JSON.parse(String(stored)));
  }

  async upcomingFor(phone: string, from: Date): Promise<Appointment[]> {
    const ids = await this.#redis.zrangebyscore(this.#byPhone(phone), from.getTime(), '+inf');
    return (await this.#load(ids)).sort((a, b) => a.start.localeCompare(b.start));
  }

  async #load(ids: string[]): Promise<Appointment[]> {
    if (ids.length === 0) return [];
    const stored = await this.#redis.hmget(this.#appointments, ...ids);
    return stored.flatMap((json) => (json === null ? [] : [Appointment.parse(JSON.parse(json))]));
  }

  #writeKeys(appointment: Appointment) {
    return [this.#appointments, this.#byEnd, this.#byPhone(appointment.phone), this.#changes];
  }

  get #changes() {
    return this.#keys.slot('calendar', 'changes');
  }

  #writeArgs(appointment: Appointment) {
    return [appointment.id, JSON.stringify(appointment), Date.parse(appointment.end), Date.parse(appointment.start)];
  }

  get #appointments() {
    return this.#keys.slot('calendar', 'appointments');
  }

  get #blocks() {
    return this.#keys.slot('calendar', 'blocks');
  }

  get #blocksByEnd() {
    return this.#keys.slot('calendar', 'blocks-by-end');
  }

  get #byEnd() {
    return this.#keys.slot('calendar', 'by-end');
  }

  #byPhone(phone: string) {
    return this.#keys.slot('calendar', 'phone', phone);
  }
}
