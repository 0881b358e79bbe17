import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { InboundMessage, type Inbox, type RateLimiter } from '../../src/engine/ports.ts';
import { log, phoneRef } from '../../src/log.ts';
import { DEDUP_TTL_MS, LEASE_MS } from '../redis/inbox.ts';
import { customerId } from '../redis/keys.ts';
import type { CitaDatabase } from './database.ts';
import { SqliteRateLimiter } from './rate-limiter.ts';

/** How often a waiting worker looks whether another process stored work (a cheap PRAGMA). */
export const POLL_MS = 50;

export interface SqliteInboxOptions {
  leaseMs?: number;
  dedupTtlMs?: number;
}

interface Claim {
  phone: string;
  token: string;
  seq: number;
  heartbeat?: NodeJS.Timeout;
  /** Set as finishing starts: a renewal still waiting for the write lock then changes nothing. */
  finished?: boolean;
}

/**
 * The inbox in SQLite, shared by every process on the database file: the Redis inbox's design in
 * tables. Each phone's messages are rows in arrival order; claiming a phone takes a lease (a row
 * with a token and an expiry) and reads its oldest message without removing it; acknowledging, by
 * the lease's owner only, deletes it. A process that dies keeps nothing: its lease lapses and the
 * next claim hands the same message out again. Phones are claimed in turn, least recently served
 * first (`inbox_ready`), as the Redis inbox's ready index does. A message is stored and its id marked seen in one
 * transaction, committed before `accept` returns.
 */
export class SqliteInbox implements Inbox {
  readonly #db: CitaDatabase;
  readonly #leaseMs: number;
  readonly #dedupTtlMs: number;
  readonly #claims = new Map<string, Claim>();
  readonly #signal = new EventEmitter();
  #poller?: NodeJS.Timeout;
  #seenVersion = -1;
  #closed = false;

  constructor(db: CitaDatabase, options: SqliteInboxOptions = {}) {
    this.#db = db;
    this.#leaseMs = options.leaseMs ?? LEASE_MS;
    this.#dedupTtlMs = options.dedupTtlMs ?? DEDUP_TTL_MS;
    this.#signal.setMaxListeners(0);
  }

  async accept(message: InboundMessage): Promise<'accepted' | 'duplicate'> {
    const now = Date.now();
    return this.#accepted(await this.#db.transaction(() => this.#store(message, now)));
  }

  /** One transaction for a limiter on the same file, where `check` then `accept` took two. */
  async acceptCounted(message: InboundMessage, limiter: RateLimiter): Promise<'accepted' | 'duplicate'> {
    if (!(limiter instanceof SqliteRateLimiter) || limiter.database !== this.#db) {
      const verdict = await limiter.check(message);
      return this.accept(verdict === 'allowed' ? message : { ...message, overLimit: verdict });
    }
    const counting = limiter.counting(message);
    const now = Date.now();
    const accepted = await this.#db.transaction(() => {
      const { overLimit: _marked, ...unmarked } = message;
      const verdict = counting();
      return this.#store(verdict === 'allowed' ? unmarked : { ...unmarked, overLimit: verdict }, now);
    });
    return this.#accepted(accepted);
  }

  #accepted(accepted: boolean): 'accepted' | 'duplicate' {
    if (accepted) this.#signal.emit('work');
    return accepted ? 'accepted' : 'duplicate';
  }

  /** Stores the message unless its id was seen; inside a write transaction. */
  #store(message: InboundMessage, now: number): boolean {
    // Parsed where it came in (the webhook, `converse`); checked again when claimed.
    const body = JSON.stringify(message);
    const seen = this.#db.get('SELECT 1 FROM inbox_seen WHERE id = ? AND expires_at > ?', message.id, now);
    if (seen) return false;
    this.#db.run(
      'INSERT OR REPLACE INTO inbox_seen (id, expires_at) VALUES (?, ?)',
      message.id,
      now + this.#dedupTtlMs,
    );
    // The inbox serves every shop: its "phone" is the customer (shop and phone), so the same
    // phone writing to two shops has two queues and two places in line.
    const customer = customerId(message.shop, message.phone);
    this.#db.run('INSERT INTO inbox_messages (phone, id, body) VALUES (?, ?, ?)', customer, message.id, body);
    // A phone already waiting keeps its place in line.
    this.#db.run('INSERT OR IGNORE INTO inbox_ready (phone, ready_at) VALUES (?, ?)', customer, now);
    return true;
  }

  /**
   * Claims the phone that has waited longest since it was last served (or since its first message
   * arrived), not the oldest message: a customer who floods the inbox gets one turn in the round,
   * like everyone else.
   */
  async claim(): Promise<InboundMessage | undefined> {
    // A read first: an idle worker's claim must not take the write lock that other processes wait for.
    while (this.#hasClaimableWork()) {
      const token = randomUUID();
      const head = await this.#db.transaction(() => {
        const now = Date.now();
        const ready = this.#db.get<{ phone: string }>(
          `SELECT phone FROM inbox_ready WHERE ready_at <= ?
           AND NOT EXISTS (SELECT 1 FROM inbox_leases WHERE inbox_leases.phone = inbox_ready.phone AND until > ?)
           ORDER BY ready_at LIMIT 1`,
          now,
          now,
        );
        if (!ready) return undefined;
        const row = this.#db.get<{ seq: number; body: string }>(
          'SELECT seq, body FROM inbox_messages WHERE phone = ? ORDER BY seq LIMIT 1',
          ready.phone,
        );
        if (!row) {
          this.#db.run('DELETE FROM inbox_ready WHERE phone = ?', ready.phone);
          return 'none' as const;
        }
        this.#db.run(
          'INSERT OR REPLACE INTO inbox_leases (phone, token, until) VALUES (?, ?, ?)',
          ready.phone,
          token,
          now + this.#leaseMs,
        );
        // Out of line while claimed; a lease that lapses (its process died) puts it back then.
        this.#db.run('UPDATE inbox_ready SET ready_at = ? WHERE phone = ?', now + this.#leaseMs, ready.phone);
        return { phone: ready.phone, ...row };
      });
      if (head === undefined) return undefined;
      if (head === 'none') continue;
      const claim: Claim = { phone: head.phone, token, seq: head.seq };
      claim.heartbeat = this.#startHeartbeat(claim);
      const message = parseStored(head.body);
      if (message) {
        this.#claims.set(message.id, claim);
        return message;
      }
      log.error({ event: 'inbox.unreadable', phoneRef: phoneRef(head.phone) }, 'stored message unreadable; dropped');
      await this.#finish(claim, 'ack');
    }
    return undefined;
  }

  async ack(message: InboundMessage): Promise<void> {
    const claim = this.#claims.get(message.id);
    if (!claim) return;
    this.#claims.delete(message.id);
    await this.#finish(claim, 'ack');
  }

  async retry(message: InboundMessage, { afterMs = 0 }: { afterMs?: number } = {}): Promise<void> {
    const claim = this.#claims.get(message.id);
    if (!claim) return;
    this.#claims.delete(message.id);
    await this.#finish(claim, 'retry', afterMs);
  }

  /**
   * Resolves on this process's own new work at once, on another process's within POLL_MS (SQLite
   * cannot notify: `PRAGMA data_version` changes when another connection commits), or after `ms`.
   */
  async waitForWork(ms: number): Promise<void> {
    if (this.#closed || this.#hasClaimableWork()) return;
    this.#startPolling();
    await once(this.#signal, 'work', { signal: AbortSignal.timeout(ms) }).catch(() => {});
    if (this.#signal.listenerCount('work') === 0) this.#stopPolling();
  }

  /** Stops waiting for work. Messages still in hand keep their leases renewed until acknowledged. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopPolling();
    this.#signal.emit('work');
  }

  async depth(): Promise<number> {
    return this.#db.get<{ waiting: number }>('SELECT count(*) AS waiting FROM inbox_messages')?.waiting ?? 0;
  }

  /**
   * Work that arrived between the last empty claim and now would otherwise wait out the timeout.
   * Committed work only: an accept still queued announces itself (`work`) once committed.
   */
  #hasClaimableWork(): boolean {
    const now = Date.now();
    const row = this.#db.peek(
      `SELECT 1 FROM inbox_ready WHERE ready_at <= ?
       AND NOT EXISTS (SELECT 1 FROM inbox_leases WHERE inbox_leases.phone = inbox_ready.phone AND until > ?) LIMIT 1`,
      now,
      now,
    );
    return row !== undefined;
  }

  /**
   * Only the lease's owner may finish: an ack drops the message it handled; both free the phone,
   * which goes to the back of the line if it has more messages (now, or after a retry's pause).
   */
  async #finish(claim: Claim, how: 'ack' | 'retry', afterMs = 0): Promise<void> {
    clearInterval(claim.heartbeat);
    claim.finished = true;
    const owned = await this.#db.transaction(() => {
      const lease = this.#db.get<{ token: string }>('SELECT token FROM inbox_leases WHERE phone = ?', claim.phone);
      if (lease?.token !== claim.token) return false;
      if (how === 'ack') this.#db.run('DELETE FROM inbox_messages WHERE seq = ?', claim.seq);
      const now = Date.now();
      const readyAt = how === 'retry' ? now + afterMs : now;
      if (readyAt > now) {
        this.#db.run('UPDATE inbox_leases SET until = ? WHERE phone = ?', readyAt, claim.phone);
      } else {
        this.#db.run('DELETE FROM inbox_leases WHERE phone = ?', claim.phone);
      }
      if (this.#db.get('SELECT 1 FROM inbox_messages WHERE phone = ? LIMIT 1', claim.phone)) {
        this.#db.run('UPDATE inbox_ready SET ready_at = ? WHERE phone = ?', readyAt, claim.phone);
      } else {
        this.#db.run('DELETE FROM inbox_ready WHERE phone = ?', claim.phone);
      }
      return true;
    });
    if (!owned) {
      log.warn(
        { event: 'inbox.lease_lost', phoneRef: phoneRef(claim.phone) },
        'lease lapsed; another process took over',
      );
    }
    this.#signal.emit('work');
  }

  /** Renews the lease while this process works on the message; a dead process stops renewing. */
  #startHeartbeat(claim: Claim): NodeJS.Timeout {
    const { phone, token } = claim;
    const timer = setInterval(async () => {
      try {
        const until = Date.now() + this.#leaseMs;
        const renewed = await this.#db.transaction(() => {
          if (claim.finished) return 0;
          const changed = this.#db.run(
            'UPDATE inbox_leases SET until = ? WHERE phone = ? AND token = ?',
            until,
            phone,
            token,
          );
          if (changed > 0) this.#db.run('UPDATE inbox_ready SET ready_at = ? WHERE phone = ?', until, phone);
          return changed;
        });
        if (renewed === 0) clearInterval(timer);
      } catch (error) {
        log.warn({ event: 'inbox.renew_failed', phoneRef: phoneRef(phone), error: String(error) });
      }
    }, this.#leaseMs / 3);
    timer.unref();
    return timer;
  }

  #startPolling() {
    if (this.#poller || !this.#db.isOpen) return;
    this.#seenVersion = this.#db.dataVersion();
    this.#poller = setInterval(() => {
      try {
        const version = this.#db.dataVersion();
        if (version === this.#seenVersion) return;
        this.#seenVersion = version;
        this.#signal.emit('work');
      } catch {
        // The database was closed under a waiting worker (shutting down): the wait times out.
      }
    }, POLL_MS);
    this.#poller.unref();
  }

  #stopPolling() {
    clearInterval(this.#poller);
    this.#poller = undefined;
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
