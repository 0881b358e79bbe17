import { type Waitlist, WaitlistEntry, WaitlistOffer } from '../../src/engine/ports.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';
import { defineScript, type Script } from './script.ts';

/** The shop a single-shop set-up's keys belong to. */
const DEFAULT_SHOP = 'default';

// KEYS: entries, offers, offerIds, offerExpiry, day, phoneDays, days, seq. ARGV: field, phone, date, wish.
const JOIN = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  redis.call('ZADD', KEYS[5], redis.call('INCR', KEYS[8]), ARGV[2])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('SADD', KEYS[6], ARGV[3])
redis.call('SADD', KEYS[7], ARGV[3])
return 1`;

// Same KEYS. ARGV: field, phone, date, offerId ('' for any), now ('' for no expiry check), mode
// ('remove' | 'requeue'). Answers { entry, offer } of what was ended, or nil.
const END = `
local offerField = redis.call('HGET', KEYS[4], ARGV[1])
if ARGV[4] ~= '' then
  if not offerField then return nil end
  local id, expires = string.match(offerField, '^(.*)|(%d+)$')
  if id ~= ARGV[4] then return nil end
  if ARGV[5] ~= '' and tonumber(expires) <= tonumber(ARGV[5]) then return nil end
end
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then return nil end
local offer = redis.call('HGET', KEYS[2], ARGV[1]) or ''
if offerField then
  redis.call('HDEL', KEYS[3], string.match(offerField, '^(.*)|%d+$'))
end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if ARGV[6] == 'requeue' then
  redis.call('ZADD', KEYS[5], redis.call('INCR', KEYS[8]), ARGV[2])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[5], ARGV[2])
  redis.call('SREM', KEYS[6], ARGV[3])
  if redis.call('ZCARD', KEYS[5]) == 0 then redis.call('SREM', KEYS[7], ARGV[3]) end
end
return { entry, offer }`;

// KEYS: entries, offers, offerIds, offerExpiry. ARGV: field, offerId, expiresMs, offer.
// KEYS: lead. ARGV: owner, until (ms, on the caller's clock), ms. The value is "<owner>|<until>".
const LEAD = `
local held = redis.call('GET', KEYS[1])
if held then
  local owner, untilMs = string.match(held, '^(.*)|(%d+)$')
  if owner ~= ARGV[1] and tonumber(untilMs) > tonumber(ARGV[2]) - tonumber(ARGV[3]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
return 1`;

// KEYS: lead. ARGV: owner.
const STEP_DOWN = `
local held = redis.call('GET', KEYS[1])
if held and string.match(held, '^(.*)|%d+$') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

const START_OFFER = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 or redis.call('HEXISTS', KEYS[4], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
return 1`;

/**
 * The waitlists in Redis. Every key of a shop's waitlists carries one hash tag, so each change
 * is one Lua script on one node of a cluster: an offer only for an entry without one, a yes only
 * to the offer still held and unexpired, never both of two processes.
 */
export class RedisWaitlist implements Waitlist {
  readonly #redis: RedisClient;
  readonly #key: (...parts: string[]) => string;
  readonly #scripts: Record<'join' | 'end' | 'startOffer' | 'stepDown' | 'lead', Script>;

  constructor(
    redis: RedisClient,
    { prefix = DEFAULT_PREFIX, shop = DEFAULT_SHOP }: { prefix?: string; shop?: string } = {},
  ) {
    this.#redis = redis;
    const keys = redisKeys(prefix);
    this.#key = (...parts) => keys.slot(`waitlist:${shop}`, ...parts);
    this.#scripts = {
      join: defineScript(redis, 'citaWaitlistJoin', JOIN),
      end: defineScript(redis, 'citaWaitlistEnd', END),
      startOffer: defineScript(redis, 'citaWaitlistOffer', START_OFFER),
      stepDown: defineScript(redis, 'citaWaitlistStepDown', STEP_DOWN),
      lead: defineScript(redis, 'citaWaitlistLead', LEAD),
    };
  }

  async join(entry: Omit<WaitlistEntry, 'offer'>): Promise<void> {
    const { offer: _none, ...wish } = WaitlistEntry.parse(entry);
    await this.#scripts.join(this.#keysOf(wish.phone, wish.date), [
      field(wish.date, wish.phone),
      wish.phone,
      wish.date,
      JSON.stringify(wish),
    ]);
  }

  async entriesOf(phone: string): Promise<WaitlistEntry[]> {
    const dates = (await this.#redis.smembers(this.#key('phone', phone))).sort();
    return this.#read(dates.map((date) => field(date, phone)));
  }

  async leave(phone: string, date: string): Promise<WaitlistEntry | undefined> {
    return this.#end(phone, date, '', '', 'remove');
  }

  async days(): Promise<string[]> {
    return (await this.#redis.smembers(this.#key('days'))).sort();
  }

  async waiting(date: string): Promise<WaitlistEntry[]> {
    const phones = await this.#redis.zrange(this.#key('day', date), 0, -1);
    return this.#read(phones.map((phone) => field(date, phone)));
  }

  async startOffer(phone: string, date: string, offer: WaitlistOffer): Promise<boolean> {
    const parsed = WaitlistOffer.parse(offer);
    const started = await this.#scripts.startOffer(
      [this.#key('entries'), this.#key('offers'), this.#key('offer-ids'), this.#key('offer-expiry')],
      [field(date, phone), parsed.id, Date.parse(parsed.expiresAt), JSON.stringify(parsed)],
    );
    return started === 1;
  }

  async takeOffer(phone: string, offerId: string, now: Date): Promise<WaitlistEntry | undefined> {
    const date = await this.#dateOfOffer(phone, offerId);
    return date === undefined ? undefined : this.#end(phone, date, offerId, String(now.getTime()), 'remove');
  }

  async endOffer(
    phone: string,
    offerId: string,
    { requeue }: { requeue: boolean },
  ): Promise<WaitlistEntry | undefined> {
    const date = await this.#dateOfOffer(phone, offerId);
    return date === undefined ? undefined : this.#end(phone, date, offerId, '', requeue ? 'requeue' : 'remove');
  }

  async lead(owner: string, ms: number, now: Date): Promise<boolean> {
    const until = now.getTime() + ms;
    // The key also expires on Redis's clock, so a dead process's lead never outlives it by much.
    return (await this.#scripts.lead([this.#key('lead')], [owner, until, ms])) === 1;
  }

  async stepDown(owner: string): Promise<void> {
    await this.#scripts.stepDown([this.#key('lead')], [owner]);
  }

  /** The day an offer is on, read before the script that checks it again (its keys depend on the day). */
  async #dateOfOffer(phone: string, offerId: string): Promise<string | undefined> {
    const at = await this.#redis.hget(this.#key('offer-ids'), offerId);
    if (!at) return undefined;
    const { date, phone: owner } = unfield(at);
    return owner === phone ? date : undefined;
  }

  async #end(phone: string, date: string, offerId: string, now: string, mode: 'remove' | 'requeue') {
    const ended = (await this.#scripts.end(this.#keysOf(phone, date), [
      field(date, phone),
      phone,
      date,
      offerId,
      now,
      mode,
    ])) as [string, string] | null;
    return ended ? entryOf(ended[0], ended[1]) : undefined;
  }

  async #read(fields: string[]): Promise<WaitlistEntry[]> {
    if (fields.length === 0) return [];
    const [wishes, offers] = await Promise.all([
      this.#redis.hmget(this.#key('entries'), ...fields),
      this.#redis.hmget(this.#key('offers'), ...fields),
    ]);
    return wishes.flatMap((wish, i) => (wish ? [entryOf(wish, offers[i] ?? '')] : []));
  }

  #keysOf(phone: string, date: string): string[] {
    return [
      this.#key('entries'),
      this.#key('offers'),
      this.#key('offer-ids'),
      this.#key('offer-expiry'),
      this.#key('day', date),
      this.#key('phone', phone),
      this.#key('days'),
      this.#key('seq'),
    ];
  }
}

function field(date: string, phone: string): string {
  return `${date}|${phone}`;
}

function unfield(text: string): { date: string; phone: string } {
  const [date = '', phone = ''] = text.split('|');
  return { date, phone };
}

function entryOf(wish: string, offer: string): WaitlistEntry {
  const entry = JSON.parse(wish);
  return WaitlistEntry.parse(offer ? { ...entry, offer: JSON.parse(offer) } : entry);
}
