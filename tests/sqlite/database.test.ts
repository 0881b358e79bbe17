import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  APPLICATION_ID,
  DATABASE_FILE,
  DatabaseUnusable,
  loadSqlite,
  openDatabase,
  StorageFailed,
} from '../../adapters/sqlite/database.ts';
import { SqliteSlotHolds } from '../../adapters/sqlite/holds.ts';
import { SqliteInbox } from '../../adapters/sqlite/inbox.ts';
import { createSqliteAdapters } from '../../adapters/sqlite/index.ts';
import { SqliteDeliveryProgress } from '../../adapters/sqlite/outbox.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../adapters/sqlite/schema.ts';
import type { InboundMessage } from '../../src/engine/ports.ts';
import { tempDataDir } from '../support/cita.ts';

/** Another program's connection to the file. */
const sqlite = loadSqlite();

/** A database file as cita wrote it at schema version 3, before shops had ids. */
function oldDatabase(path: string) {
  const db = new sqlite.DatabaseSync(path);
  db.exec(readFileSync(fileURLToPath(new URL('./schema-v3.sql', import.meta.url)), 'utf8'));
  db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
  db.exec('INSERT INTO schema_version (version) VALUES (3)');
  return db;
}

const message = (n: number): InboundMessage => ({
  id: `wamid.${n}`,
  shop: 'default',
  phone: '34600000001',
  receivedAt: '2026-11-24T09:00:00.000Z',
  content: { kind: 'text', text: `message ${n}` },
});

describe('opening the database', () => {
  it('creates cita.db in a new data folder, in WAL mode, and opens it again as it is', () => {
    const path = join(tempDataDir(), 'nested', DATABASE_FILE);
    openDatabase(path).close();
    const again = openDatabase(path);
    expect(again.get<{ journal_mode: string }>('PRAGMA journal_mode')?.journal_mode).toBe('wal');
    expect(again.get<{ version: number }>('SELECT version FROM schema_version')?.version).toBe(SCHEMA_VERSION);
    again.close();
  });

  it("migrates a version-1 file to the shop's side and to holds per barber's chair, keeping the holds it had", async () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const old = oldDatabase(path);
    // A version-1 file: no blocked time, no muted notices, holds without a barber.
    old.exec('DROP TABLE time_blocks');
    old.exec('DROP TABLE muted_staff');
    old.exec('ALTER TABLE holds DROP COLUMN barber');
    // Nor, being older than version 3, the ready index (4), aliases and sent ids (5), nor the
    // record of sends begun and confirmed by WhatsApp's statuses (6): the v3 file has none of them.
    old.exec('UPDATE schema_version SET version = 1');
    // A message queued before claims took phones in turn is still claimed after the upgrade.
    old
      .prepare("INSERT INTO inbox_messages (phone, id, body) VALUES ('34600000001', 'wamid.1', ?)")
      .run(JSON.stringify(message(1)));
    old
      .prepare(
        "INSERT INTO holds (token, phone, start_ms, end_ms, expires_at) VALUES ('t1', '34600000001', 0, 60000, ?)",
      )
      .run(Date.now() + 60_000);
    old.close();
    const database = openDatabase(path);
    expect(database.get<{ version: number }>('SELECT max(version) AS version FROM schema_version')?.version).toBe(
      SCHEMA_VERSION,
    );
    expect((await new SqliteInbox(database).claim())?.id).toBe('wamid.1');
    const holds = new SqliteSlotHolds(database);
    const window = { start: new Date(0).toISOString(), end: new Date(60_000).toISOString() };
    expect(await holds.overlapping(window)).toEqual([{ phone: '34600000001', token: 't1', ...window }]);
    expect(await holds.acquire({ phone: '34600000002', token: 't2', barberId: 'javi', ...window }, 60_000)).toBe(true);
    expect(database.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'time_blocks'")?.n).toBe(
      1,
    );
    // Calendar sync (version 8) comes after the shops' ids (7), keyed by shop from the start.
    expect(
      database.all<{ name: string }>("SELECT name FROM pragma_table_info('calendar_sync')").map((c) => c.name),
    ).toContain('shop');
    // Transcripts (version 9) start empty, keyed by shop and customer.
    expect(
      database.all<{ name: string }>("SELECT name FROM pragma_table_info('transcripts')").map((c) => c.name),
    ).toEqual(expect.arrayContaining(['shop', 'phone', 'id']));
    // WhatsApp's late refusals (version 10): warnings given and messages kept to resend; and the
    // send pacing table, which new files had without a migration.
    for (const table of ['staff_told', 'kept_messages', 'send_pacing']) {
      expect(database.get<{ n: number }>('SELECT count(*) AS n FROM sqlite_schema WHERE name = ?', table)?.n).toBe(1);
    }
    // Waitlists and opt-outs (version 11) come after the late refusals (10), keyed by shop.
    for (const table of ['waitlist', 'opt_outs']) {
      expect(
        database.all<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`).map((c) => c.name),
      ).toContain('shop');
    }
    // The busy-time look-up's bound (version 12): each shop's longest appointment, read off an index.
    expect(
      database.all<{ detail: string }>(
        "EXPLAIN QUERY PLAN SELECT max(end_ms - start_ms) FROM appointments WHERE shop = 'default'",
      )[0]?.detail,
    ).toContain('COVERING INDEX appointments_by_length');
    database.close();
  });

  it("keeps a single shop's data as the default shop's when shops get ids (version 3 to 7)", async () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const old = oldDatabase(path);
    old.exec(
      `INSERT INTO conversations (phone, version, body, expires_at) VALUES ('34600000001', 3, '{"machineVersion":1,"snapshot":{}}', ${Date.now() + 60_000})`,
    );
    old.exec(
      `INSERT INTO appointments (id, phone, start_ms, end_ms, body) VALUES ('abcde1', '34600000001', 0, 60000, '{}')`,
    );
    old.close();
    const { adapters, forShop, close } = createSqliteAdapters({ path });
    expect(await forShop('default').conversations.load('34600000001')).toMatchObject({ version: 3 });
    expect(await forShop('other-shop').conversations.load('34600000001')).toEqual({ version: 0 });
    expect(await adapters.conversations.load('34600000001')).toMatchObject({ version: 3 });
    await close();
  });

  it("keeps a version-6 file's aliases, sent ids and reply progress as the default shop's (version 6 to 7)", async () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const old = oldDatabase(path);
    // Main's file at version 6: the ready index, aliases and sent ids, reply starts and confirmations.
    for (const version of [4, 5, 6]) old.exec(MIGRATIONS[version]!);
    old.exec('UPDATE schema_version SET version = 6');
    const later = Date.now() + 60_000;
    old.exec(`INSERT INTO customer_aliases VALUES ('US.13491208655302741918', '34600000001', ${later})`);
    old.exec(`INSERT INTO sent_messages VALUES ('wamid.sent', '34600000001', ${later})`);
    old.exec(`INSERT INTO delivery_progress VALUES ('wamid.in', 2, ${later}, 3, 'worker-a')`);
    old.exec(`INSERT INTO delivery_confirmations VALUES ('outbox-1', 'wamid.took', ${later})`);
    old.close();
    const { database, forShop, close } = createSqliteAdapters({ path });
    const mine = new SqliteDeliveryProgress(database, { shop: 'default' });
    const other = new SqliteDeliveryProgress(database, { shop: 'other-shop' });
    expect(await forShop('default').aliases.resolve('US.13491208655302741918', 'US.13491208655302741918')).toBe(
      '34600000001',
    );
    expect(await forShop('other-shop').aliases.resolve('US.13491208655302741918', 'US.13491208655302741918')).toBe(
      'US.13491208655302741918',
    );
    expect(await mine.sentByCita('34600000001', 'wamid.sent')).toBe(true);
    expect(await other.sentByCita('34600000001', 'wamid.sent')).toBe(false);
    expect(await mine.resume('34600000001', 'wamid.in')).toEqual({ delivered: 2, started: 3 });
    expect(await other.resume('34600000001', 'wamid.in')).toEqual({ delivered: 0, started: 0 });
    expect(await mine.confirmation('34600000001', 'outbox-1')).toBe('wamid.took');
    expect(await other.confirmation('34600000001', 'outbox-1')).toBeUndefined();
    await close();
  });

  it('refuses a file that is not a SQLite database, saying what to do', () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    writeFileSync(path, 'appointments: Carlos, Wednesday 17:00\n'.repeat(200));
    expect(() => openDatabase(path)).toThrow(DatabaseUnusable);
    expect(() => openDatabase(path)).toThrow(/is not a SQLite database.*move it out of the way, or set CITA_DATA_DIR/);
  });

  it("refuses another program's SQLite database and leaves it untouched", () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const other = new sqlite.DatabaseSync(path);
    other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5)');
    other.close();
    expect(() => openDatabase(path)).toThrow(/not cita's.*set CITA_DATA_DIR to another folder/);
    const check = new sqlite.DatabaseSync(path);
    expect(check.prepare('SELECT count(*) AS n FROM sqlite_schema').get()).toEqual({ n: 1 });
    check.close();
  });

  it('refuses a database written by a newer cita, telling to run the newer one or restore the backup', () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const database = openDatabase(path);
    database.run('INSERT INTO schema_version (version) VALUES (?)', SCHEMA_VERSION + 1);
    database.close();
    expect(() => openDatabase(path)).toThrow(
      new RegExp(`newer cita \\(schema ${SCHEMA_VERSION + 1}; this cita knows up to ${SCHEMA_VERSION}\\)`),
    );
  });
});

describe('the server on a database that is not usable', () => {
  it('stops at start-up, before listening, with the message saying what to do', () => {
    const dataDir = tempDataDir();
    writeFileSync(join(dataDir, DATABASE_FILE), 'not a database at all\n'.repeat(100));
    const main = fileURLToPath(new URL('../../src/server/main.ts', import.meta.url));
    const result = spawnSync(process.execPath, [main], {
      cwd: dataDir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', PORT: '0', CITA_DATA_DIR: dataDir },
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^cita cannot start: .*cita\.db is not a SQLite database/);
    expect(result.stdout).not.toContain('server.listening');
  });
});

describe('a write lock held by another program', () => {
  it('waits for it without stopping the process, and stores the write once the lock is let go', async () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const database = openDatabase(path);
    const inbox = new SqliteInbox(database);
    expect(await inbox.accept(message(1))).toBe('accepted');

    // Another program (a backup tool, sqlite3 in a terminal) holds the write lock for 3 s.
    const holder = spawn(
      process.execPath,
      [
        '--no-warnings',
        '-e',
        `const db = new (require('node:sqlite').DatabaseSync)(process.argv[1]);
         db.exec('BEGIN IMMEDIATE');
         console.log('locked');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, 3000);`,
        path,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(holder.stdout, 'data');

    const happened: string[] = [];
    const accepting = inbox.accept(message(2)).then((outcome) => {
      happened.push('stored');
      return outcome;
    });
    // The event loop keeps turning while the write waits: a timer set after it fires first.
    await new Promise((resolve) => setTimeout(resolve, 200));
    happened.push('timer fired');
    expect(happened).toEqual(['timer fired']);

    await once(holder, 'exit');
    expect(await accepting).toBe('accepted');
    expect(happened).toEqual(['timer fired', 'stored']);
    const first = await inbox.claim();
    expect(first?.id).toBe('wamid.1');
    await inbox.ack(first!);
    expect((await inbox.claim())?.id).toBe('wamid.2');
    database.close();
  });
});

describe('a write lock held by another connection, while more is asked for', () => {
  it('gives each write its own wait: one asked for late is not refused with the first', async () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const database = openDatabase(path, { lockWaitMs: 1500 });
    database.run('CREATE TABLE IF NOT EXISTS notes (n INTEGER)');
    const locker = new sqlite.DatabaseSync(path);
    locker.exec('BEGIN IMMEDIATE');
    const first = database.transaction(() => database.run('INSERT INTO notes VALUES (1)'));
    first.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const second = database.transaction(() => database.run('INSERT INTO notes VALUES (2)'));
    await expect(first).rejects.toThrow(/stayed locked by another process for more than 1.5 s/);
    // The lock is let go a second before the second write has waited its 1.5 s.
    locker.exec('ROLLBACK');
    locker.close();
    expect(await second).toBe(1);
    expect(database.all('SELECT n FROM notes')).toEqual([{ n: 2 }]);
    database.close();
  });
});

describe('transactions asked for together (group commit)', () => {
  /** Frames in the write-ahead log since it was last emptied: each commit appends at least one. */
  const walFrames = (database: ReturnType<typeof openDatabase>) =>
    database.get<{ log: number }>('PRAGMA wal_checkpoint(PASSIVE)')!.log;

  it('writes the transactions of one turn of the event loop to the file in one commit', async () => {
    const database = openDatabase(join(tempDataDir(), DATABASE_FILE));
    database.run('CREATE TABLE IF NOT EXISTS notes (n INTEGER)');
    database.get('PRAGMA wal_checkpoint(TRUNCATE)');
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => database.transaction(() => database.run('INSERT INTO notes VALUES (?)', n))),
    );
    // One commit of one page: twenty would have appended twenty frames at the least.
    expect(walFrames(database)).toBeLessThanOrEqual(2);

    database.get('PRAGMA wal_checkpoint(TRUNCATE)');
    for (let n = 0; n < 5; n++) await database.transaction(() => database.run('INSERT INTO notes VALUES (?)', n));
    expect(walFrames(database)).toBeGreaterThanOrEqual(5);
    database.close();
  });

  it('runs them in the order asked, each seeing the earlier ones; one that fails is undone alone', async () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const database = openDatabase(path);
    database.run('CREATE TABLE IF NOT EXISTS notes (n INTEGER)');
    const count = () => database.get<{ rows: number }>('SELECT count(*) AS rows FROM notes')!.rows;
    const outcomes = await Promise.allSettled([
      database.transaction(() => {
        database.run('INSERT INTO notes VALUES (1)');
        return count();
      }),
      database.transaction(() => {
        database.run('INSERT INTO notes VALUES (2)');
        throw new Error('this one changes its mind');
      }),
      database.transaction(() => {
        database.run('INSERT INTO notes VALUES (3)');
        return count();
      }),
    ]);
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('this one changes its mind') },
      { status: 'fulfilled', value: 2 },
    ]);
    // Another connection sees exactly what was committed.
    const reader = new sqlite.DatabaseSync(path);
    expect(reader.prepare('SELECT n FROM notes ORDER BY n').all()).toEqual([{ n: 1 }, { n: 3 }]);
    reader.close();
    database.close();
  });

  it('lets a read see every transaction asked for before it, as if each had been written when asked', async () => {
    const database = openDatabase(join(tempDataDir(), DATABASE_FILE));
    database.run('CREATE TABLE IF NOT EXISTS notes (n INTEGER)');
    const count = 'SELECT count(*) AS rows FROM notes';
    const writing = database.transaction(() => database.run('INSERT INTO notes VALUES (1)'));
    // A peek (a hint a transaction checks again) sees only what is committed, and commits nothing.
    expect(database.peek<{ rows: number }>(count)?.rows).toBe(0);
    // Not awaited: a message id noted "without waiting" must still be known to the next look-up.
    expect(database.get<{ rows: number }>(count)?.rows).toBe(1);
    expect(await writing).toBe(1);
    database.close();
  });

  it('refuses every transaction of a commit that fails, and stores none of them', async () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const database = openDatabase(path);
    database.run('PRAGMA foreign_keys = ON');
    database.run('CREATE TABLE IF NOT EXISTS owners (id INTEGER PRIMARY KEY)');
    database.run(
      'CREATE TABLE IF NOT EXISTS pets (owner INTEGER REFERENCES owners (id) DEFERRABLE INITIALLY DEFERRED)',
    );
    // A deferred foreign key is checked by COMMIT: a batch whose every work ran fails there.
    const outcomes = await Promise.allSettled([
      database.transaction(() => database.run('INSERT INTO owners VALUES (1)')),
      database.transaction(() => database.run('INSERT INTO pets VALUES (2)')),
    ]);
    expect(outcomes.map(({ status }) => status)).toEqual(['rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY constraint failed/);
    const reader = new sqlite.DatabaseSync(path);
    expect(reader.prepare('SELECT count(*) AS rows FROM owners').get()).toEqual({ rows: 0 });
    reader.close();
    // The next transaction starts afresh.
    expect(await database.transaction(() => database.run('INSERT INTO owners VALUES (1)'))).toBe(1);
    database.close();
  });

  it('runs a transaction asked for inside another in the next commit', async () => {
    const database = openDatabase(join(tempDataDir(), DATABASE_FILE));
    database.run('CREATE TABLE IF NOT EXISTS notes (n INTEGER)');
    let inner: Promise<number> | undefined;
    await database.transaction(() => {
      database.run('INSERT INTO notes VALUES (1)');
      inner = database.transaction(() => database.run('INSERT INTO notes VALUES (2)'));
    });
    expect(await inner).toBe(1);
    expect(database.all('SELECT n FROM notes')).toEqual([{ n: 1 }, { n: 2 }]);
    database.close();
  });

  it('stores what was asked for before the database is closed', async () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const database = openDatabase(path);
    database.run('CREATE TABLE IF NOT EXISTS notes (n INTEGER)');
    const writing = database.transaction(() => database.run('INSERT INTO notes VALUES (1)'));
    database.close();
    expect(await writing).toBe(1);
    const reader = new sqlite.DatabaseSync(path);
    expect(reader.prepare('SELECT n FROM notes').all()).toEqual([{ n: 1 }]);
    reader.close();
  });

  it('answers only once the commit is on the file: another connection sees the write when it resolves', async () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const database = openDatabase(path);
    database.run('CREATE TABLE IF NOT EXISTS notes (n INTEGER)');
    const reader = new sqlite.DatabaseSync(path);
    const seen = await Promise.all(
      [1, 2, 3].map((n) =>
        database
          .transaction(() => database.run('INSERT INTO notes VALUES (?)', n))
          .then(() => (reader.prepare('SELECT count(*) AS rows FROM notes').get() as { rows: number }).rows),
      ),
    );
    expect(seen).toEqual([3, 3, 3]);
    reader.close();
    database.close();
  });
});

describe('a write that cannot be stored', () => {
  it('fails only that operation when another process keeps the file locked, and keeps what was accepted', async () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const database = openDatabase(path, { lockWaitMs: 100 });
    const inbox = new SqliteInbox(database);
    expect(await inbox.accept(message(1))).toBe('accepted');

    const locker = new sqlite.DatabaseSync(path);
    locker.exec('BEGIN IMMEDIATE');
    const refused = inbox.accept(message(2));
    await expect(refused).rejects.toThrow(StorageFailed);
    await expect(refused).rejects.toThrow(/stayed locked by another process.*nothing stored before is lost/);
    locker.exec('ROLLBACK');
    locker.close();

    // Delivered again once the lock is gone, the refused message is new, not a duplicate.
    expect(await inbox.accept(message(2))).toBe('accepted');
    expect((await inbox.claim())?.id).toBe('wamid.1');
    database.close();
  });

  it('fails only that operation when the disk is full, and keeps what was accepted', async () => {
    const database = openDatabase(join(tempDataDir(), DATABASE_FILE));
    const inbox = new SqliteInbox(database);
    expect(await inbox.accept(message(1))).toBe('accepted');
    // The file may not grow by a single page more: what a full disk looks like to SQLite.
    const { page_count: pages } = database.get<{ page_count: number }>('PRAGMA page_count')!;
    database.get(`PRAGMA max_page_count = ${pages}`);
    const big = { ...message(2), content: { kind: 'text' as const, text: 'x'.repeat(64_000) } };
    await expect(inbox.accept(big)).rejects.toThrow(/disk holding .* is full.*nothing stored before is lost/);
    expect((await inbox.claim())?.id).toBe('wamid.1');
    database.close();
  });
});

describe('a data folder from an earlier cita', () => {
  it('imports calendar.json and history.json once, at start-up, and renames them', async () => {
    const dataDir = tempDataDir();
    const appointment = {
      id: 'booking0001',
      serviceId: 'corte',
      serviceName: 'Corte de pelo',
      phone: '34600000001',
      customerName: 'Carlos',
      start: '2026-11-25T16:00:00.000Z',
      end: '2026-11-25T16:30:00.000Z',
    };
    const entry = {
      bookingId: 'booking0001',
      serviceId: 'corte',
      start: appointment.start,
      end: appointment.end,
      status: 'booked',
      at: '2026-11-20T10:00:00.000Z',
    };
    writeFileSync(join(dataDir, 'calendar.json'), JSON.stringify({ appointments: [appointment] }, null, 2));
    writeFileSync(join(dataDir, 'history.json'), JSON.stringify({ '34600000001': [entry] }, null, 2));

    const first = createSqliteAdapters({ dataDir });
    expect(await first.adapters.calendar.get('booking0001')).toEqual(appointment);
    expect(await first.adapters.history.list('34600000001')).toEqual([entry]);
    await first.close();
    expect(existsSync(join(dataDir, 'calendar.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'calendar.json.imported'))).toBe(true);
    expect(existsSync(join(dataDir, 'history.json.imported'))).toBe(true);

    // The next start imports nothing again.
    const second = createSqliteAdapters({ dataDir });
    expect(await second.adapters.calendar.upcomingFor('34600000001', new Date(0))).toEqual([appointment]);
    expect(await second.adapters.history.list('34600000001')).toEqual([entry]);
    await second.close();
  });

  it('stops, naming the file, when an old calendar.json does not read, and imports nothing', async () => {
    const dataDir = tempDataDir();
    writeFileSync(join(dataDir, 'calendar.json'), '{"appointments": [{"id": "not base32hex!"}]');
    expect(() => createSqliteAdapters({ dataDir })).toThrow(
      /calendar\.json, kept by an earlier cita, could not be imported/,
    );
    expect(existsSync(join(dataDir, 'calendar.json'))).toBe(true);
  });
});
