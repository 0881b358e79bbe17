import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { InboundMessage, type Inbox } from '../../src/engine/ports.ts';
import { log, phoneRef } from '../../src/log.ts';
import { DEDUP_TTL_MS, LEASE_MS } from '../redis/inbox.ts';
import type { CitaDatabase } from './database.ts';

/** How often a waiting worker looks whether another process stored work (a cheap PRAGMA). */
export const POLL_MS = 50;

export interface SqliteInboxOptions {
  leaseMs?: number;
  dedupTtlMs?: number;
}

interface Claim {
  shop: string;
  phone: string;
  token: string;
  seq: number;
  heartbeat: NodeJS.Timeout;
}

/**
 * The inbox in SQLite, shared by every process on the database file: the Redis inbox's design in
 * tables. Each phone's messages are rows in arrival order; claiming a phone takes a lease (a row
 * with a token and an expiry) and reads its oldest message without removing it; acknowledging, by
 * the lease's owner only, deletes it. A process that dies keeps nothing: its lease lapses and the
 * next claim hands the same message out again. A message is stored and its id marked seen in one
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
    // Parsed where it came in (the webhook, `converse`); checked again when claimed.
    const body = JSON.stringify(message);
    const now = Date.now();
    const accepted = this.#db.transaction(() => {
      const seen = this.#db.get(
        'SELECT 1 FROM inbox_seen WHERE shop = ? AND id = ? AND expires_at > ?',
        message.shop,
        message.id,
        now,
      );
      if (seen) return false;
      this.#db.run(
        'INSERT OR REPLACE INTO inbox_seen (shop, id, expires_at) VALUES (?, ?, ?)',
        message.shop,
        message.id,
        now + this.#dedupTtlMs,
      );
      this.#db.run(
        'INSERT INTO inbox_messages (shop, phone, id, body) VALUES (?, ?, ?, ?)',
        message.shop,
        message.phone,
        message.id,
        body,
      );
      return true;
    });
    if (accepted) this.#signal.emit('work');
    return accepted ? 'accepted' : 'duplicate';
  }

  async claim(): Promise<InboundMessage | undefined> {
    // A read first: an idle worker's claim must not take the write lock that other processes wait for.
    while (this.#hasClaimableWork()) {
      const token = randomUUID();
      const now = Date.now();
      const head = this.#db.transaction(() => {
        const row = this.#db.get<{ shop: string; phone: string; seq: number }>(
          `SELECT shop, phone, min(seq) AS seq FROM inbox_messages
           WHERE (shop, phone) NOT IN (SELECT shop, phone FROM inbox_leases WHERE until > ?)
           GROUP BY shop, phone ORDER BY seq LIMIT 1`,
          now,
        );
        if (!row) return undefined;
        this.#db.run(
          'INSERT OR REPLACE INTO inbox_leases (shop, phone, token, until) VALUES (?, ?, ?, ?)',
          row.shop,
          row.phone,
          token,
          now + this.#leaseMs,
        );
        const { body } = this.#db.get<{ body: string }>('SELECT body FROM inbox_messages WHERE seq = ?', row.seq)!;
        return { ...row, body };
      });
      if (!head) return undefined;
      const claim: Claim = {
        shop: head.shop,
        phone: head.phone,
        token,
        seq: head.seq,
        heartbeat: this.#startHeartbeat(head.shop, head.phone, token),
      };
      const message = parseStored(head.body);
      if (message) {
        this.#claims.set(message.id, claim);
        return message;
      }
      log.error({ event: 'inbox.unreadable', phoneRef: phoneRef(head.phone) }, 'stored message unreadable; dropped');
      this.#finish(claim, 'ack');
    }
    return undefined;
  }

  async ack(message: InboundMessage): Promise<void> {
    const claim = this.#claims.get(message.id);
    if (!claim) return;
    this.#claims.delete(message.id);
    this.#finish(claim, 'ack');
  }

  async retry(message: InboundMessage, { afterMs = 0 }: { afterMs?: number } = {}): Promise<void> {
    const claim = this.#claims.get(message.id);
    if (!claim) return;
    this.#claims.delete(message.id);
    this.#finish(claim, 'retry', afterMs);
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

  /** Work that arrived between the last empty claim and now would otherwise wait out the timeout. */
  #hasClaimableWork(): boolean {
    const row = this.#db.get(
      'SELECT 1 FROM inbox_messages WHERE (shop, phone) NOT IN (SELECT shop, phone FROM inbox_leases WHERE until > ?) LIMIT 1',
      Date.now(),
    );
    return row !== undefined;
  }

  /** Only the lease's owner may finish: an ack drops the message it handled; both free the phone. */
  #finish(claim: Claim, how: 'ack' | 'retry', afterMs = 0): void {
    clearInterval(claim.heartbeat);
    const owned = this.#db.transaction(() => {
      const lease = this.#db.get<{ token: string }>(
        'SELECT token FROM inbox_leases WHERE shop = ? AND phone = ?',
        claim.shop,
        claim.phone,
      );
      if (lease?.token !== claim.token) return false;
      if (how === 'ack') this.#db.run('DELETE FROM inbox_messages WHERE seq = ?', claim.seq);
      if (how === 'retry' && afterMs > 0) {
        this.#db.run(
          'UPDATE inbox_leases SET until = ? WHERE shop = ? AND phone = ?',
          Date.now() + afterMs,
          claim.shop,
          claim.phone,
        );
      } else {
        this.#db.run('DELETE FROM inbox_leases WHERE shop = ? AND phone = ?', claim.shop, claim.phone);
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
  #startHeartbeat(shop: string, phone: string, token: string): NodeJS.Timeout {
    const timer = setInterval(() => {
      try {
        const renewed = this.#db.run(
          'UPDATE inbox_leases SET until = ? WHERE shop = ? AND phone = ? AND token = ?',
          Date.now() + this.#leaseMs,
          shop,
          phone,
          token,
        );
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
