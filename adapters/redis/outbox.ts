import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import {
  type DeliveryProgress,
  KEPT_MS,
  type KeptMessage,
  keptSeq,
  RESEND_LEASE_MS,
  RESENDS_PER_ROUND,
} from '../whatsapp/delivery-progress.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';
import { defineScript, type Script } from './script.ts';

/** A turn's progress in one step. KEYS: delivered count, started hash. */
const RESUME = `return {redis.call('GET', KEYS[1]) or false, redis.call('HGET', KEYS[2], 'n') or false}`;

/**
 * A reply delivered, and the id WhatsApp gave it remembered in the same step. KEYS: delivered
 * count, the customer's set of message ids sent. ARGV: count, ttl, the id.
 */
const RECORD = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return redis.call('PEXPIRE', KEYS[2], ARGV[2])`;

/** KEYS: the customer's set of message ids sent. ARGV: ttl, then the ids. */
const REMEMBER_SENT = `
redis.call('SADD', KEYS[1], unpack(ARGV, 2))
return redis.call('PEXPIRE', KEYS[1], ARGV[1])`;

/**
 * `mayStart` of delivery-progress.ts, in one step on the server; a reply recorded as delivered
 * counts as started. KEYS: started hash, delivered count, and the reply's kept copy when it is
 * kept in the same step. ARGV: count, sender, takeOver, ttl, then the kept copy and its ttl.
 */
const START = `
if KEYS[3] then redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6]) end
local started = math.max(tonumber(redis.call('HGET', KEYS[1], 'n') or '0'), tonumber(redis.call('GET', KEYS[2]) or '0'))
local by = redis.call('HGET', KEYS[1], 'by')
local count = tonumber(ARGV[1])
if started < count or (started == count and (by == ARGV[2] or ARGV[3] == '1')) then
  redis.call('HSET', KEYS[1], 'n', count, 'by', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return 1
end
return 0`;

/** KEYS: started hash. ARGV: count, sender. Only the sender's own start of reply count + 1 is undone. */
const UNSTART = `
if redis.call('HGET', KEYS[1], 'by') == ARGV[2] and tonumber(redis.call('HGET', KEYS[1], 'n')) == tonumber(ARGV[1]) + 1 then
  redis.call('HSET', KEYS[1], 'n', ARGV[1])
end
return 0`;

/**
 * The messages due again, taken for a lease so no other process takes them meanwhile. KEYS: the
 * shop's resend schedule. ARGV: now, lease end, limit.
 */
const TAKE_RESENDS = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], member) end
return due`;

/** KEYS: the resend schedule. ARGV: member, lease. Only the taking named by its lease is ended. */
const END_RESEND = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0`;

/** How long a turn's progress is kept: far longer than any retry or lease takeover takes. */
export const PROGRESS_TTL_MS = 48 * 60 * 60_000;

/**
 * The delivery record on Redis, so a turn taken over by another process (a crash, a shutdown)
 * also resumes where the first one stopped. Small keys under the phone's hash tag: per turn, how
 * many replies WhatsApp took and how many were started; per message, the wamid its status gave.
 */
export class RedisDeliveryProgress implements DeliveryProgress {
  readonly #redis: RedisClient;
  readonly #keys;
  readonly #resume: Script;
  readonly #rememberSent: Script;
  readonly #start: Script;
  readonly #record: Script;
  readonly #unstart: Script;
  readonly #takeResends: Script;
  readonly #endResend: Script;
  /** The shop's messages due again, by when: one key, so one slot on a cluster. */
  readonly #resends: string;

  constructor(
    redis: RedisClient,
    { prefix = DEFAULT_PREFIX, shop = DEFAULT_SHOP_ID }: { prefix?: string; shop?: string } = {},
  ) {
    this.#redis = redis;
    this.#keys = redisKeys(prefix, 1, shop);
    this.#resume = defineScript(redis, 'citaResumeReplies', RESUME);
    this.#rememberSent = defineScript(redis, 'citaRememberSent', REMEMBER_SENT);
    this.#start = defineScript(redis, 'citaStartReply', START);
    this.#record = defineScript(redis, 'citaRecordReply', RECORD);
    this.#unstart = defineScript(redis, 'citaUnstartReply', UNSTART);
    this.#takeResends = defineScript(redis, 'citaTakeResends', TAKE_RESENDS);
    this.#endResend = defineScript(redis, 'citaEndResend', END_RESEND);
    this.#resends = this.#keys.slot('outbox', 'resends');
  }

  /** A script rather than MULTI: one command to build and answer instead of four. */
  async resume(phone: string, inReplyTo: string) {
    const [delivered, started] = (await this.#resume(
      [this.#keys.phone(phone, 'sent', inReplyTo), this.#keys.phone(phone, 'started', inReplyTo)],
      [],
    )) as [string | null, string | null];
    return { delivered: count(delivered), started: count(started) };
  }

  async start(
    phone: string,
    inReplyTo: string,
    started: number,
    sender: string,
    takeOver = false,
    kept?: { outboxId: string; body: string },
  ) {
    const keys = [this.#keys.phone(phone, 'started', inReplyTo), this.#keys.phone(phone, 'sent', inReplyTo)];
    const args: (string | number)[] = [started, sender, takeOver ? '1' : '0', PROGRESS_TTL_MS];
    if (kept) {
      keys.push(this.#keptKey(phone, kept.outboxId));
      args.push(keptCopy(kept.body), KEPT_MS);
    }
    return (await this.#start(keys, args)) === 1;
  }

  async unstart(phone: string, inReplyTo: string, started: number, sender: string): Promise<void> {
    await this.#unstart([this.#keys.phone(phone, 'started', inReplyTo)], [started, sender]);
  }

  async record(phone: string, inReplyTo: string, delivered: number, sentId?: string): Promise<void> {
    const key = this.#keys.phone(phone, 'sent', inReplyTo);
    if (sentId === undefined) await this.#redis.set(key, delivered, 'PX', PROGRESS_TTL_MS);
    else await this.#record([key, this.#keys.phone(phone, 'sentIds')], [delivered, PROGRESS_TTL_MS, sentId]);
  }

  async confirm(phone: string, outboxId: string, wamid: string): Promise<void> {
    await this.#redis.set(this.#keys.phone(phone, 'confirmed', outboxId), wamid, 'PX', PROGRESS_TTL_MS, 'NX');
  }

  async confirmation(phone: string, outboxId: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#keys.phone(phone, 'confirmed', outboxId))) ?? undefined;
  }

  /** One set per customer, under their hash tag, living as long as the progress records. */
  async rememberSent(phone: string, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await this.#rememberSent([this.#keys.phone(phone, 'sentIds')], [PROGRESS_TTL_MS, ...messageIds]);
  }

  async sentByCita(phone: string, messageId: string): Promise<boolean> {
    return (await this.#redis.sismember(this.#keys.phone(phone, 'sentIds'), messageId)) === 1;
  }

  /** Under the customer's hash tag, beside the rest of their delivery record. */
  async keep(phone: string, outboxId: string, body: string): Promise<void> {
    await this.#redis.set(this.#keptKey(phone, outboxId), keptCopy(body), 'PX', KEPT_MS);
  }

  #keptKey(phone: string, outboxId: string) {
    return this.#keys.phone(phone, 'kept', outboxId);
  }

  async queueResend(phone: string, outboxId: string, notBefore: number): Promise<boolean> {
    const keptFor = Math.max(notBefore - Date.now(), 0) + KEPT_MS;
    if ((await this.#redis.pexpire(this.#keptKey(phone, outboxId), keptFor)) !== 1) return false;
    await this.#redis.zadd(this.#resends, notBefore, JSON.stringify([phone, outboxId]));
    return true;
  }

  async takeResends(now: number, limit = RESENDS_PER_ROUND): Promise<KeptMessage[]> {
    const lease = now + RESEND_LEASE_MS;
    const members = (await this.#takeResends([this.#resends], [now, lease, limit])) as string[];
    const taken = await Promise.all(
      members.map(async (member) => {
        const [phone, outboxId] = JSON.parse(member) as [string, string];
        const kept = await this.#redis.get(this.#keptKey(phone, outboxId));
        // Expired meanwhile: nothing is left to send.
        if (kept === null) await this.#redis.zrem(this.#resends, member);
        return kept === null ? [] : [{ phone, outboxId, ...(JSON.parse(kept) as { b: string; s: number }) }];
      }),
    );
    return taken
      .flat()
      .sort((a, b) => a.phone.localeCompare(b.phone) || a.s - b.s)
      .map(({ phone, outboxId, b }) => ({ phone, outboxId, body: b, lease }));
  }

  async resent(phone: string, outboxId: string, lease: number): Promise<void> {
    await this.#endResend([this.#resends], [JSON.stringify([phone, outboxId]), lease]);
  }
}

function keptCopy(body: string): string {
  return JSON.stringify({ b: body, s: keptSeq() });
}

function count(stored: string | null): number {
  const n = Number(stored);
  return Number.isInteger(n) && n > 0 ? n : 0;
}
