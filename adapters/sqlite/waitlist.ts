import { type Waitlist, WaitlistEntry, WaitlistOffer } from '../../src/engine/ports.ts';
import type { CitaDatabase } from './database.ts';

/** The shop a single-shop set-up's rows belong to. */
const DEFAULT_SHOP = 'default';

type Row = { body: string; offer: string | null };

/**
 * The waitlists in SQLite, one row per customer and day. Each change that depends on what is
 * stored (an offer only for an entry without one, a yes only to the offer still held) is one
 * statement or one write transaction, so processes sharing the file never both win.
 */
export class SqliteWaitlist implements Waitlist {
  readonly #db: CitaDatabase;
  readonly #shop: string;

  constructor(db: CitaDatabase, { shop = DEFAULT_SHOP }: { shop?: string } = {}) {
    this.#db = db;
    this.#shop = shop;
  }

  async join(entry: Omit<WaitlistEntry, 'offer'>): Promise<void> {
    const { offer: _none, ...wish } = WaitlistEntry.parse(entry);
    await this.#db.transaction(() => {
      const exists = this.#db.get(
        'SELECT 1 FROM waitlist WHERE shop = ? AND date = ? AND phone = ?',
        this.#shop,
        wish.date,
        wish.phone,
      );
      // A new wish for a day already waited on keeps its place in the list (and any offer made).
      if (exists) {
        this.#db.run(
          'UPDATE waitlist SET body = ? WHERE shop = ? AND date = ? AND phone = ?',
          JSON.stringify(wish),
          this.#shop,
          wish.date,
          wish.phone,
        );
        return;
      }
      this.#db.run(
        'INSERT INTO waitlist (shop, date, phone, seq, body) VALUES (?, ?, ?, ?, ?)',
        this.#shop,
        wish.date,
        wish.phone,
        this.#nextSeq(wish.date),
        JSON.stringify(wish),
      );
    });
  }

  async entriesOf(phone: string): Promise<WaitlistEntry[]> {
    return this.#db
      .all<Row>('SELECT body, offer FROM waitlist WHERE shop = ? AND phone = ? ORDER BY date', this.#shop, phone)
      .map(read);
  }

  async leave(phone: string, date: string): Promise<WaitlistEntry | undefined> {
    return this.#db.transaction(() => {
      const row = this.#row('date = ? AND phone = ?', date, phone);
      if (row) this.#db.run('DELETE FROM waitlist WHERE shop = ? AND date = ? AND phone = ?', this.#shop, date, phone);
      return row && read(row);
    });
  }

  async days(): Promise<string[]> {
    return this.#db
      .all<{ date: string }>('SELECT DISTINCT date FROM waitlist WHERE shop = ? ORDER BY date', this.#shop)
      .map((row) => row.date);
  }

  async waiting(date: string): Promise<WaitlistEntry[]> {
    return this.#db
      .all<Row>('SELECT body, offer FROM waitlist WHERE shop = ? AND date = ? ORDER BY seq', this.#shop, date)
      .map(read);
  }

  async startOffer(phone: string, date: string, offer: WaitlistOffer): Promise<boolean> {
    const parsed = WaitlistOffer.parse(offer);
    const changed = await this.#db.write(
      'UPDATE waitlist SET offer_id = ?, offer_expires_ms = ?, offer = ? WHERE shop = ? AND date = ? AND phone = ? AND offer_id IS NULL',
      parsed.id,
      Date.parse(parsed.expiresAt),
      JSON.stringify(parsed),
      this.#shop,
      date,
      phone,
    );
    return changed === 1;
  }

  async takeOffer(phone: string, offerId: string, now: Date): Promise<WaitlistEntry | undefined> {
    return this.#db.transaction(() => {
      const row = this.#row('phone = ? AND offer_id = ? AND offer_expires_ms > ?', phone, offerId, now.getTime());
      if (!row) return undefined;
      this.#db.run('DELETE FROM waitlist WHERE shop = ? AND phone = ? AND offer_id = ?', this.#shop, phone, offerId);
      return read(row);
    });
  }

  async endOffer(
    phone: string,
    offerId: string,
    { requeue }: { requeue: boolean },
  ): Promise<WaitlistEntry | undefined> {
    return this.#db.transaction(() => {
      const row = this.#row('phone = ? AND offer_id = ?', phone, offerId);
      if (!row) return undefined;
      const entry = read(row);
      if (requeue) {
        this.#db.run(
          'UPDATE waitlist SET seq = ?, offer_id = NULL, offer_expires_ms = NULL, offer = NULL WHERE shop = ? AND phone = ? AND offer_id = ?',
          this.#nextSeq(entry.date),
          this.#shop,
          phone,
          offerId,
        );
      } else {
        this.#db.run('DELETE FROM waitlist WHERE shop = ? AND phone = ? AND offer_id = ?', this.#shop, phone, offerId);
      }
      return entry;
    });
  }

  async lead(owner: string, ms: number, now: Date): Promise<boolean> {
    const changed = await this.#db.write(
      `INSERT INTO waitlist_lead (shop, owner, until_ms) VALUES (?, ?, ?)
       ON CONFLICT (shop) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
       WHERE waitlist_lead.owner = excluded.owner OR waitlist_lead.until_ms <= ?`,
      this.#shop,
      owner,
      now.getTime() + ms,
      now.getTime(),
    );
    return changed === 1;
  }

  async stepDown(owner: string): Promise<void> {
    await this.#db.write('DELETE FROM waitlist_lead WHERE shop = ? AND owner = ?', this.#shop, owner);
  }

  #row(where: string, ...params: (string | number)[]): Row | undefined {
    return this.#db.get<Row>(`SELECT body, offer FROM waitlist WHERE shop = ? AND ${where}`, this.#shop, ...params);
  }

  #nextSeq(date: string): number {
    const last = this.#db.get<{ seq: number | null }>(
      'SELECT MAX(seq) AS seq FROM waitlist WHERE shop = ? AND date = ?',
      this.#shop,
      date,
    );
    return (last?.seq ?? 0) + 1;
  }
}

function read(row: Row): WaitlistEntry {
  const entry = JSON.parse(row.body);
  return WaitlistEntry.parse(row.offer ? { ...entry, offer: JSON.parse(row.offer) } : entry);
}
