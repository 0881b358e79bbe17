import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { InboundMessage, type Inbox, type RateLimiter } from '../../src/engine/ports.ts';
import { log, phoneRef } from '../../src/log.ts';
import { evalReplicated, inOrder, isCluster, masters, type RedisClient, replicasOf } from './client.ts';
import { customerId, DEFAULT_PREFIX, redisKeys } from './keys.ts';
import { COUNT_RATE, RedisRateLimiter } from './rate-limiter.ts';
import { defineScript, type Script } from './script.ts';

/** How long a message id is remembered: WhatsApp redelivers for days when a webhook keeps failing. */
export const DEDUP_TTL_MS = 7 * 24 * 60 * 60_000;
/** How long a claim lasts without renewal: twice the engine's settle timeout, renewed every third of it. */
export const LEASE_MS = 60_000;
/**
 * How often the ready index is rebuilt from the queues, besides before a process's first claim: a
 * Redis that lost the tail of its append-only file may have kept a message and lost its index entry.
 */
const REINDEX_EVERY_MS = 5 * 60_000;
/** Ready phones looked at per claim; busy ones are skipped. */
const CLAIM_CANDIDATES = 50;
/** How long ready phones read for one claim are tried by the claims after it before the index is read again. */
const CANDIDATES_FRESH_MS = 1_000;
/** Phones looked at for the depth gauge: beyond this a backlog is obvious anyway, and a scrape stays cheap. */
const DEPTH_PHONES_MAX = 10_000;

/**
 * Stores the message unless its id was seen (KEYS[1]) in its queue (KEYS[2]), in one step, so a
 * crash cannot store it twice. With the ready index (one Redis without replicas: see
 * `#indexInScripts`), indexes the phone at `at` and announces work on `channel` in the same step,
 * a duplicate too.
 */
const STORE = `
local function store(message, ttl, ready, at, phone, channel)
  local stored = 0
  if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ttl) then
    redis.call('RPUSH', KEYS[2], message)
    stored = 1
  end
  if ready then
    redis.call('ZADD', ready, 'NX', at, phone)
    redis.call('PUBLISH', channel, '1')
  end
  return stored
end`;

/** KEYS: seen, queue, the ready index (optional). ARGV: the message, dedup ttl, then the index's time, phone and channel. */
const ACCEPT = `${STORE}
return store(ARGV[1], ARGV[2], KEYS[3], ARGV[3], ARGV[4], ARGV[5])`;

/**
 * ACCEPT with the message counted against its phone's rate limit first (`COUNT_RATE`) and stored
 * marked with the verdict when over it. KEYS: seen, queue, the rate's two keys, the ready index
 * (optional). ARGV: as ACCEPT's, then the rate's four (see `RedisRateLimiter.counting`).
 */
const ACCEPT_COUNTED = `${COUNT_RATE}
${STORE}
local verdict = countRate(KEYS[3], KEYS[4], ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]))
local message = ARGV[1]
if verdict ~= 'allowed' then message = string.sub(message, 1, -2) .. ',"overLimit":"' .. verdict .. '"}' end
return store(message, ARGV[2], KEYS[5], ARGV[3], ARGV[4], ARGV[5])`;

/**
 * Takes the phone's lease and returns its oldest message, which stays queued until acknowledged.
 * A claim sent again with the same token (its reply was lost to a dropped connection and ioredis
 * resent it) gets the same message, rather than finding its own lease and leaving it to lapse.
 * KEYS: lease, queue, then the ready index when ARGV[3] is not '', then a hash to read (its fields
 * from ARGV[5]). With the index: a claimed phone is moved out of the way of other claims until
 * ARGV[3] (the lease's end), an empty one is dropped from it (ARGV[4]: the phone).
 */
const CLAIM = `
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return {'busy'} end
local indexed = ARGV[3] ~= ''
local head = redis.call('LINDEX', KEYS[2], 0)
if not head then
  if indexed then redis.call('ZREM', KEYS[3], ARGV[4]) end
  return {'empty'}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local read = KEYS[3]
if indexed then
  redis.call('ZADD', KEYS[3], 'XX', ARGV[3], ARGV[4])
  read = KEYS[4]
end
if read then return {'claimed', head, redis.call('HMGET', read, unpack(ARGV, 5))} end
return {'claimed', head}`;

/**
 * The end of ACK and RETRY: answers the queue's length, or -1 when the lease was not this claim's.
 * With the ready index as KEYS[3] (ARGV[3] the time, ARGV[4] the phone), a phone with messages
 * left is indexed as claimable now and work announced on channel ARGV[5]; one without is dropped
 * from the index, in the same step as the length was read, so no message arriving meanwhile is
 * left unindexed.
 */
const FINISHED = `
local waiting = redis.call('LLEN', KEYS[2])
if KEYS[3] then
  if waiting > 0 then
    redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
    redis.call('PUBLISH', ARGV[5], '1')
  else
    redis.call('ZREM', KEYS[3], ARGV[4])
  end
end
if not mine then return -1 end
return waiting`;

/** Only the lease's owner may finish: it drops the message it handled (ARGV[2]) and frees the phone. */
const ACK = `
local mine = redis.call('GET', KEYS[1]) == ARGV[1]
if mine then
  if redis.call('LINDEX', KEYS[2], 0) == ARGV[2] then redis.call('LPOP', KEYS[2]) end
  redis.call('DEL', KEYS[1])
end${FINISHED}`;

/** Frees the phone (or keeps it ARGV[2] ms more) and leaves the message at the front of its queue. */
const RETRY = `
local mine = redis.call('GET', KEYS[1]) == ARGV[1]
if mine then
  if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) else redis.call('DEL', KEYS[1]) end
end${FINISHED}`;

const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`;

const ClaimReply = z.union([
  z.tuple([z.enum(['busy', 'empty'])]),
  z.tuple([z.literal('claimed'), z.string()], z.array(z.string().nullable())),
]);

/**
 * A hash of the phone's that the claim reads in the same script, for the adapter that would read
 * it first thing (the conversation store): one trip less per message. What is handed over is the
 * hash as it was when the lease was taken; `forget` is called when the claim ends.
 */
export interface ReadWithClaim {
  /** By customer id (`customerId(shop, phone)`): the inbox claims for every shop. */
  key(customer: string): string;
  fields: readonly string[];
  keep(customer: string, values: (string | null)[]): void;
  forget(customer: string): void;
}

export interface RedisInboxOptions {
  /** Key prefix (`REDIS_PREFIX`); tests use one per run. */
  prefix?: string;
  leaseMs?: number;
  dedupTtlMs?: number;
  /**
   * The connection `accept` stores through (default: the one passed in). The webhook's accept must
   * fail fast while Redis is away, while the workers' commands may wait for a reconnection: two
   * connections with different options (see `INTAKE_CONNECTION` in `index.ts`).
   */
  intake?: RedisClient;
  readWithClaim?: ReadWithClaim;
  /** Parts of the ready index (`CLUSTER_SHARDS` on a cluster, 1 on one Redis). */
  shards?: number;
}

interface Claim {
  phone: string;
  token: string;
  /** The message exactly as stored: acknowledging compares it, so a corrupt entry can be dropped too. */
  stored: string;
  heartbeat?: NodeJS.Timeout;
  /** Set as finishing starts: a renewal answered after that must not push the phone back out of reach. */
  finished?: boolean;
}

/**
 * The inbox on Redis: any number of processes accept into it and work from it, for every shop.
 * What this file calls a phone is a customer of one shop (`customerId(shop, phone)`): the same
 * phone writing to two shops has two queues, two leases and two places in the ready index.
 *
 * Each phone has a list (its messages in arrival order) and a lease key (who is handling it).
 * Claiming takes the lease with a TTL and reads the head without removing it; acknowledging, by
 * the lease's owner only, removes it. A process that dies keeps no message: its lease lapses and
 * the next claim hands the same message out again. A sorted set of phones with waiting messages,
 * scored by when they may next be claimed, lets a claim find work without scanning keys.
 *
 * Why lists and leases rather than Streams with consumer groups: a consumer group hands entries
 * to whichever consumer asks, so two processes would read two messages of the same phone at once;
 * keeping a phone's messages in order would need a per-phone lock on top, and per-phone streams
 * need the same "which phones have work" index as lists do. A list plus a lease is exactly the
 * guarantee we need (one message per phone at a time, in order, taken over after a crash), in a
 * few lines of Lua that run on one phone's hash slot.
 *
 * The ready set is shared by the shop (on a cluster, split in parts by phone, each part its own
 * slot: see `CLUSTER_SHARDS`), so it is updated beside the per-phone scripts, not inside them; it
 * is only a hint, kept correct by re-checking a phone's queue after removing it, and rebuilt from
 * the queues when a process starts and every few minutes (for what a process that died in
 * between, or a Redis that lost its last writes, left out).
 */
export class RedisInbox implements Inbox {
  readonly #redis: RedisClient;
  readonly #intake: RedisClient;
  readonly #keys;
  readonly #leaseMs: number;
  readonly #dedupTtlMs: number;
  readonly #scripts: Record<'accept' | 'acceptCounted' | 'claim' | 'ack' | 'retry' | 'renew', Script>;
  /**
   * On one Redis the shop-wide ready index is updated inside the phone's scripts, and work is
   * announced from them: one command where there were up to five. On a cluster the index is in
   * other slots than the phone's keys, so it is updated beside them, in an order that keeps every
   * waiting message indexed.
   */
  readonly #indexInScripts: boolean;
  readonly #workChannel: string;
  readonly #claims = new Map<string, Claim>();
  readonly #readWithClaim?: ReadWithClaim;
  readonly #signal = new EventEmitter();
  #subscriber?: RedisClient;
  #closed = false;
  /** When the index is next rebuilt from the queues themselves (0: before this process's first claim). */
  #reindexDue = 0;
  /**
   * Ready phones read from the index and not tried yet, oldest first, and when they were read.
   * Under load one read serves many claims instead of one: the claim's script is what decides
   * (a phone taken meanwhile is busy, one emptied is dropped from the index), so a list a little
   * old costs at most a look at a phone no longer ready.
   */
  #candidates: string[] = [];
  #candidatesAt = 0;

  constructor(redis: RedisClient, options: RedisInboxOptions = {}) {
    this.#redis = redis;
    this.#intake = options.intake ?? redis;
    this.#keys = redisKeys(options.prefix ?? DEFAULT_PREFIX, options.shards);
    this.#leaseMs = options.leaseMs ?? LEASE_MS;
    this.#dedupTtlMs = options.dedupTtlMs ?? DEDUP_TTL_MS;
    this.#readWithClaim = options.readWithClaim;
    this.#signal.setMaxListeners(0);
    this.#indexInScripts = !isCluster(redis);
    this.#workChannel = this.#keys.shop('work');
    this.#scripts = {
      accept: defineScript(this.#intake, 'citaInboxAccept', ACCEPT),
      acceptCounted: defineScript(this.#intake, 'citaInboxAcceptCounted', ACCEPT_COUNTED),
      claim: defineScript(redis, 'citaInboxClaim', CLAIM),
      ack: defineScript(redis, 'citaInboxAck', ACK),
      retry: defineScript(redis, 'citaInboxRetry', RETRY),
      renew: defineScript(redis, 'citaInboxRenew', RENEW),
    };
  }

  accept(message: InboundMessage): Promise<'accepted' | 'duplicate'> {
    return this.#store(message, this.#scripts.accept);
  }

  /** One script for a limiter on the webhook's connection: one trip on the webhook's path, not two. */
  async acceptCounted(message: InboundMessage, limiter: RateLimiter): Promise<'accepted' | 'duplicate'> {
    if (!(limiter instanceof RedisRateLimiter) || limiter.redis !== this.#intake) {
      const verdict = await limiter.check(message);
      return this.accept(verdict === 'allowed' ? message : { ...message, overLimit: verdict });
    }
    // Marked by the script, from its verdict.
    const { overLimit: _marked, ...unmarked } = message;
    return this.#store(unmarked, this.#scripts.acceptCounted, limiter.counting(message));
  }

  async #store(
    message: InboundMessage,
    script: Script,
    rate: { keys: string[]; args: (string | number)[] } = { keys: [], args: [] },
  ): Promise<'accepted' | 'duplicate'> {
    // Parsed where it came in (the webhook, `converse`); checked again when claimed.
    const stored = JSON.stringify(message);
    // The inbox serves every shop: a phone's queue, lease and dedup are its customer's (shop and phone).
    const customer = customerId(message.shop, message.phone);
    const keys = [this.#keys.phone(customer, 'seen', message.id), this.#queue(customer), ...rate.keys];
    let accepted: unknown;
    if (this.#indexInScripts && (await replicasOf(this.#intake, keys[0]!)) === 0) {
      accepted = await script(
        [...keys, this.#readyOf(customer)],
        [stored, this.#dedupTtlMs, Date.now(), customer, this.#workChannel, ...rate.args],
      );
    } else {
      // Stored (and, where the node has replicas, copied to one: a master that dies after the
      // webhook's 200 must not take the message with it), then indexed and announced: a claim that
      // found the phone indexed before its message landed would take it out of the index. The index
      // is written on a duplicate too: a process that crashed between storing and indexing is
      // repaired by the redelivery.
      accepted = await evalReplicated(this.#intake, script, keys, [stored, this.#dedupTtlMs, '', '', '', ...rate.args]);
      await Promise.all([
        this.#intake.zadd(this.#readyOf(customer), 'NX', Date.now(), customer),
        this.#intake.publish(this.#workChannel, '1'),
      ]);
    }
    this.#signal.emit('work');
    return accepted === 1 ? 'accepted' : 'duplicate';
  }

  async claim(): Promise<InboundMessage | undefined> {
    if (Date.now() >= this.#reindexDue) {
      const first = this.#reindexDue === 0;
      this.#reindexDue = Date.now() + REINDEX_EVERY_MS;
      const reindexing = this.#indexWaitingQueues();
      if (first) {
        await reindexing.catch((error) => {
          this.#reindexDue = 0;
          throw error;
        });
      } else reindexing.catch((error) => log.warn({ event: 'inbox.reindex_failed', error: String(error) }));
    }
    let fresh = false;
    for (;;) {
      if (this.#candidates.length === 0 || Date.now() - this.#candidatesAt > CANDIDATES_FRESH_MS) {
        // Once a claim: phones all busy (a retry's delay) must not keep it reading.
        if (fresh) return undefined;
        fresh = true;
        this.#candidatesAt = Date.now();
        this.#candidates = await this.#readyPhones();
        if (this.#candidates.length === 0) return undefined;
      }
      const phone = this.#candidates.shift()!;
      const token = randomUUID();
      const alongside = this.#readWithClaim;
      const indexed = this.#indexInScripts;
      const keys = [this.#lease(phone), this.#queue(phone)];
      // Out of the way of other claims until the lease would lapse; acknowledging brings it back.
      const args: (string | number)[] = [token, this.#leaseMs, indexed ? Date.now() + this.#leaseMs : '', phone];
      if (indexed) keys.push(this.#readyOf(phone));
      if (alongside) {
        keys.push(alongside.key(phone));
        args.push(...alongside.fields);
      }
      const [status, stored, read] = ClaimReply.parse(await this.#scripts.claim(keys, args));
      if (status === 'busy') continue;
      if (status === 'empty' || stored === undefined) {
        if (!indexed && (await this.#markIdle(phone)) > 0) await this.#announceWork();
        continue;
      }
      // Not waited for: it only spares other claims a look at a busy phone, so it travels with the
      // next command, the conversation's load.
      if (!indexed) {
        this.#redis
          .zadd(this.#readyOf(phone), 'XX', Date.now() + this.#leaseMs, phone)
          .catch((error) => log.warn({ event: 'inbox.index_failed', error: String(error) }));
      }
      if (read) alongside?.keep(phone, read);
      const claim: Claim = { phone, token, stored };
      claim.heartbeat = this.#startHeartbeat(claim);
      const message = parseStored(stored);
      if (message) {
        this.#claims.set(message.id, claim);
        return message;
      }
      log.error({ event: 'inbox.unreadable', phoneRef: phoneRef(phone) }, 'stored message unreadable; dropped');
      await this.#finish(claim, this.#scripts.ack, [token, stored]);
    }
  }

  async ack(message: InboundMessage): Promise<void> {
    const claim = this.#claims.get(message.id);
    if (!claim) return;
    this.#claims.delete(message.id);
    await this.#finish(claim, this.#scripts.ack, [claim.token, claim.stored]);
  }

  async retry(message: InboundMessage, { afterMs = 0 }: { afterMs?: number } = {}): Promise<void> {
    const claim = this.#claims.get(message.id);
    if (!claim) return;
    this.#claims.delete(message.id);
    await this.#finish(claim, this.#scripts.retry, [claim.token, afterMs]);
  }

  async waitForWork(ms: number): Promise<void> {
    if (this.#closed) return;
    await this.#subscribe();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#signal.off('work', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.#signal.on('work', done);
    });
  }

  /**
   * Stops waiting for work. Messages still in hand keep their leases renewed until acknowledged;
   * the connection passed in belongs to the caller and stays open.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#signal.emit('work');
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    await subscriber?.quit().catch(() => subscriber.disconnect());
  }

  /**
   * Messages waiting or being handled, summed over the phones in the ready set (every phone with a
   * queued message is in it). One round trip for the index, one pipelined for the queues.
   */
  async depth(): Promise<number> {
    const perShard = Math.ceil(DEPTH_PHONES_MAX / this.#keys.shards);
    const phones = (
      await Promise.all(this.#readyShards().map((key) => this.#redis.zrange(key, 0, perShard - 1)))
    ).flat();
    // Auto-pipelined: one write per node, on one Redis as on a cluster (where a pipeline must stay in one slot).
    const lengths = await Promise.all(phones.map((phone) => this.#redis.llen(this.#queue(phone)).catch(() => 0)));
    return lengths.reduce((sum, length) => sum + length, 0);
  }

  /**
   * The phones to try, longest waiting first, across every part of the ready index: the parts are
   * read at once and merged by score, so sharding changes where the index lives, not the order.
   */
  async #readyPhones(): Promise<string[]> {
    const now = Date.now();
    const parts = this.#readyShards();
    // One part is in order already: its scores are not needed.
    if (parts.length === 1) return this.#redis.zrangebyscore(parts[0]!, '-inf', now, 'LIMIT', 0, CLAIM_CANDIDATES);
    const shards = await Promise.all(
      parts.map((key) => this.#redis.zrangebyscore(key, '-inf', now, 'WITHSCORES', 'LIMIT', 0, CLAIM_CANDIDATES)),
    );
    const ready: { phone: string; at: number }[] = [];
    for (const flat of shards) {
      for (let i = 0; i < flat.length; i += 2) ready.push({ phone: flat[i]!, at: Number(flat[i + 1]) });
    }
    return ready
      .sort((a, b) => a.at - b.at)
      .slice(0, CLAIM_CANDIDATES)
      .map(({ phone }) => phone);
  }

  /** The part of the ready index a phone is in. */
  #readyOf(phone: string) {
    return this.#keys.sharded('ready', this.#keys.shardOf(phone));
  }

  #readyShards() {
    return Array.from({ length: this.#keys.shards }, (_, shard) => this.#keys.sharded('ready', shard));
  }

  #queue(phone: string) {
    return this.#keys.phone(phone, 'queue');
  }

  #lease(phone: string) {
    return this.#keys.phone(phone, 'lease');
  }

  async #finish(claim: Claim, script: Script, args: (string | number)[]) {
    clearInterval(claim.heartbeat);
    claim.finished = true;
    this.#readWithClaim?.forget(claim.phone);
    const keys = [this.#lease(claim.phone), this.#queue(claim.phone)];
    if (this.#indexInScripts) {
      const waiting = Number(
        await script([...keys, this.#readyOf(claim.phone)], [...args, Date.now(), claim.phone, this.#workChannel]),
      );
      if (waiting === -1) this.#leaseLost(claim);
      else if (waiting > 0) this.#signal.emit('work');
      return;
    }
    // The phone is indexed as claimable now before its lease is released, in the same write: a
    // process that dies (or a reply lost to a dropped connection) between the two must not leave
    // its next messages waiting behind the claim's bump until the lease would have lapsed.
    const [, released] = await inOrder(
      this.#redis,
      () => this.#redis.zadd(this.#readyOf(claim.phone), Date.now(), claim.phone),
      () => script(keys, args),
    );
    const waiting = Number(released);
    if (waiting === -1) {
      this.#leaseLost(claim);
      return;
    }
    // A phone with messages left is never taken out of the index, even for a moment: a process
    // that died in that moment would leave them unfound.
    if (waiting > 0) await this.#announceWork();
    else if ((await this.#markIdle(claim.phone)) > 0) await this.#announceWork();
  }

  #leaseLost(claim: Claim) {
    log.warn({ event: 'inbox.lease_lost', phoneRef: phoneRef(claim.phone) }, 'lease lapsed; another process took over');
  }

  /**
   * Drops the phone from the index, then puts it back if its queue is not empty: checked after the
   * drop, so a message that arrived in between is never left unindexed. Answers the queue's length.
   * (A phone another process has claimed meanwhile is put back when that process finishes.)
   */
  async #markIdle(phone: string): Promise<number> {
    const ready = this.#readyOf(phone);
    const [, waiting] = await inOrder(
      this.#redis,
      () => this.#redis.zrem(ready, phone),
      () => this.#redis.llen(this.#queue(phone)),
    );
    if (waiting > 0) await this.#redis.zadd(ready, Date.now(), phone);
    return waiting;
  }

  /**
   * Puts every phone with queued messages in the index (those in it keep their place). Finishing
   * takes an idle phone out of the index and puts it back if a message arrived meanwhile: the two
   * cannot be one script (the index is shop-wide, the queue the phone's), so a process that died
   * between them would leave that message unfound until the customer wrote again. Run by the
   * process started in its place before it claims anything, and every few minutes by every process.
   */
  async #indexWaitingQueues(): Promise<void> {
    const pattern = this.#keys.everyPhone('queue');
    // Each master of a cluster holds its own keys: every one is scanned.
    for (const node of await masters(this.#redis)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000, 'TYPE', 'list');
        cursor = next;
        const lengths = await Promise.all(keys.map((key) => this.#redis.llen(key)));
        const now = Date.now();
        const waiting = keys.filter((_, i) => (lengths[i] ?? 0) > 0).map((key) => this.#keys.phoneOf(key));
        await Promise.all(waiting.map((phone) => this.#redis.zadd(this.#readyOf(phone), 'NX', now, phone)));
      } while (cursor !== '0');
    }
  }

  /** Renews the lease while this process works on the message; a dead process stops renewing. */
  #startHeartbeat(claim: Claim): NodeJS.Timeout {
    const { phone, token } = claim;
    const timer = setInterval(async () => {
      try {
        const renewed = await this.#scripts.renew([this.#lease(phone)], [token, this.#leaseMs]);
        // A renewal still on its way when the message was finished (its bump would land after
        // finishing's, 60 s ahead, with the lease already gone) leaves the index alone.
        if (renewed === 1 && !claim.finished) {
          await this.#redis.zadd(this.#readyOf(phone), 'XX', Date.now() + this.#leaseMs, phone);
        } else clearInterval(timer);
      } catch (error) {
        log.warn({ event: 'inbox.renew_failed', phoneRef: phoneRef(phone), error: String(error) });
      }
    }, this.#leaseMs / 3);
    timer.unref();
    return timer;
  }

  async #announceWork() {
    this.#signal.emit('work');
    await this.#redis.publish(this.#workChannel, '1');
  }

  /** Listens for other processes' new work on a connection of its own (a subscriber can do nothing else). */
  async #subscribe() {
    if (this.#subscriber) return;
    const subscriber = this.#redis.duplicate();
    this.#subscriber = subscriber;
    subscriber.on('message', () => this.#signal.emit('work'));
    subscriber.on('error', (error) => log.warn({ event: 'inbox.subscriber_error', error: String(error) }));
    await subscriber.subscribe(this.#workChannel).catch((error) => {
      log.warn({ event: 'inbox.subscribe_failed', error: String(error) }, 'falling back to polling');
    });
  }
}

function parseStored(stored: string): InboundMessage | undefined {
  try {
    const parsed = InboundMessage.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
