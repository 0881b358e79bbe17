import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { log } from '../../src/log.ts';
import { MIGRATIONS, SCHEMA, SCHEMA_VERSION, sweepStatements } from './schema.ts';

/** The database file in CITA_DATA_DIR. */
export const DATABASE_FILE = 'cita.db';
/** cita's mark in the file header (`PRAGMA application_id`): "cita" in ASCII. */
export const APPLICATION_ID = 0x63697461;
/**
 * How long a write waits, in all, for another connection's transaction before it fails. The wait
 * is asynchronous (see `transaction`): the event loop keeps serving health checks and webhooks.
 */
export const LOCK_WAIT_MS = 10_000;
/**
 * SQLite's own busy wait (`busy_timeout`), which sleeps on the main thread: a few milliseconds, so
 * a short commit by another process is waited out in place, and a longer lock is left to the
 * asynchronous retry. Start-up, before anything is served, waits the whole LOCK_WAIT_MS in place.
 */
const BLOCKING_WAIT_MS = 5;
/** The asynchronous retry's pauses: doubling from the first to the last. */
const RETRY_PAUSE_MS = { first: 2, last: 100 };
/** How often expired rows (dedup ids, holds, old conversations) are deleted. */
const SWEEP_EVERY_MS = 60 * 60_000;

type WorkOutcome = { value: unknown } | { failed: unknown };

interface QueuedWork {
  work: () => unknown;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
  /** Until when it may wait for another connection's write lock: LOCK_WAIT_MS from when it was asked for. */
  deadline: number;
}

/** The file cannot be cita's database as it is: the program stops and says what to do. */
export class DatabaseUnusable extends Error {}

/**
 * One operation could not be stored (the file stayed locked, the disk is full, it is read-only).
 * That operation fails; everything committed before it is still there.
 */
export class StorageFailed extends Error {}

// SQLite's primary result codes this module explains (an extended code's low byte is its primary).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

/**
 * node:sqlite prints "SQLite is an experimental feature" on load, on standard error, in every
 * process; the API cita uses is the documented one of Node 22, so the notice is left out.
 */
export function loadSqlite(): typeof import('node:sqlite') {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: never[]) => {
    if (String(warning).includes('SQLite is an experimental feature')) return;
    return Reflect.apply(emitWarning, process, [warning, ...rest]);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * cita's SQLite database: one file, shared safely by every process on the machine (WAL mode, a
 * busy timeout, writes in `BEGIN IMMEDIATE` transactions), or `:memory:` for tests.
 *
 * node:sqlite is synchronous: a statement or a transaction runs to its end before the event loop
 * moves on, so within a process nothing interleaves with it; across processes SQLite's write lock
 * does the same.
 *
 * @example
 * const database = openDatabase(join(dataDir, DATABASE_FILE));
 * await database.transaction(() => database.run('DELETE FROM holds WHERE token = ?', token));
 */
export class CitaDatabase {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #lockWaitMs: number;
  #closed = false;

  constructor(path: string, { lockWaitMs = LOCK_WAIT_MS }: { lockWaitMs?: number } = {}) {
    this.path = path;
    const { DatabaseSync } = loadSqlite();
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    try {
      this.#db = new DatabaseSync(path, { timeout: lockWaitMs });
      // WAL: readers never wait for the writer, and a crash mid-write leaves the last commit intact.
      this.#db.exec('PRAGMA journal_mode = WAL');
      // NORMAL: a commit is in the WAL file before it returns, so it survives the process crashing
      // or being killed; only a power cut or an OS crash may lose the last moments' commits (as Redis
      // with appendfsync everysec), never the file's consistency. FULL would fsync every commit, and
      // node:sqlite is synchronous: on a busy disk each fsync would stall every customer's turn.
      this.#db.exec('PRAGMA synchronous = NORMAL');
      prepareSchema(this.#db, path);
    } catch (error) {
      throw unusable(error, path);
    }
    this.#lockWaitMs = lockWaitMs;
    this.#blockingWait(Math.min(BLOCKING_WAIT_MS, lockWaitMs));
    // What expired while cita was stopped goes before anything is served (a file another process
    // keeps locked is swept at the next round instead).
    try {
      this.#guard(() => this.#db.exec('BEGIN IMMEDIATE'));
      this.#inTransaction(() => this.#deleteExpired(Date.now()));
    } catch (error) {
      log.warn({ event: 'sqlite.sweep_failed', error: String(error) }, 'could not delete expired rows; will try later');
    }
    this.#sweeper = setInterval(() => this.sweep().catch(() => {}), SWEEP_EVERY_MS);
    this.#sweeper.unref();
  }

  run(sql: string, ...params: SQLInputValue[]): number {
    this.#commitBeforeReading();
    return Number(this.#guard(() => this.#statement(sql).run(...params)).changes);
  }

  get<T>(sql: string, ...params: SQLInputValue[]): T | undefined {
    this.#commitBeforeReading();
    return this.#guard(() => this.#statement(sql).get(...params)) as T | undefined;
  }

  /**
   * `get` of what is committed now, leaving the queued transactions for their turn: for a hint that
   * a transaction checks again, where committing early would only cost a commit.
   */
  peek<T>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.#guard(() => this.#statement(sql).get(...params)) as T | undefined;
  }

  all<T>(sql: string, ...params: SQLInputValue[]): T[] {
    this.#commitBeforeReading();
    return this.#guard(() => this.#statement(sql).all(...params)) as T[];
  }

  /**
   * Runs `work` in a write transaction taken at once (`BEGIN IMMEDIATE`): from its first read to
   * the commit no other process writes, so a check and the write it allows are one step. While
   * another connection holds the write lock, the transaction waits for it without blocking the
   * event loop (retried with growing pauses, for up to LOCK_WAIT_MS in all); `work` itself runs
   * in one go once the lock is taken, so nothing of this process interleaves with it.
   *
   * Group commit: the transactions asked for while the event loop handles one round of I/O are run
   * together, each in a savepoint of one `BEGIN IMMEDIATE … COMMIT`, in the order asked. A commit
   * on the file costs 110–150 µs of CPU, mostly system time, whatever it holds: one per message
   * rather than seven is most of what the embedded store cost end to end (issue 31). Each `work`
   * still sees every earlier one's writes and none of a later one's; one that throws is rolled
   * back to its savepoint alone and rejects; the others' promises resolve only once the commit
   * holding them is on the file. A transaction asked for inside a work goes in the next commit.
   */
  transaction<T>(work: () => T): Promise<T> {
    this.#counts.transactions += 1;
    return new Promise<T>((resolve, reject) => {
      const deadline = Date.now() + this.#lockWaitMs;
      this.#queued.push({ work, resolve: resolve as (value: unknown) => void, reject, deadline });
      this.#scheduleCommit();
    });
  }

  #scheduleCommit(): void {
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    setImmediate(() => void this.#commitQueued());
  }

  readonly #counts = { transactions: 0, commits: 0 };

  /** Transactions asked for and commits made since the file was opened: how well they are grouped. */
  get counts(): { transactions: number; commits: number } {
    return { ...this.#counts };
  }

  readonly #queued: QueuedWork[] = [];
  #commitScheduled = false;
  /** Another connection holds the write lock and the queue waits for it. */
  #waitingForLock = false;

  /**
   * Takes the write lock, then runs and commits everything queued by then, once: what the answers
   * set going asks for in the next turn of the event loop, after the I/O waiting (webhooks, sends)
   * has had its turn.
   */
  async #commitQueued(): Promise<void> {
    try {
      if (this.#queued.length === 0) return;
      const busy = this.#tryBegin();
      if (busy !== undefined && !(await this.#waitForWriteLock(busy))) return;
      this.#commitBatch();
    } catch (error) {
      for (const queued of this.#queued.splice(0)) queued.reject(error);
    } finally {
      this.#commitScheduled = false;
      // What the works asked for while they ran (or while the lock was awaited) gets its own turn.
      if (this.#queued.length > 0 && this.isOpen) this.#scheduleCommit();
    }
  }

  /**
   * A statement outside a transaction sees every transaction asked for before it, as when each was
   * written the moment it was asked for: what is queued is committed first, unless another
   * process holds the write lock (the queue then waits for it, as a transaction always has, and
   * the read does not try the lock again: it would only sleep on it).
   */
  #commitBeforeReading(): void {
    if (this.#queued.length === 0 || this.#db.isTransaction || this.#waitingForLock) return;
    if (this.#tryBegin() === undefined) this.#commitBatch();
  }

  /** Runs everything queued, each in a savepoint, in the transaction just begun, and commits. */
  #commitBatch(): void {
    const batch = this.#queued.splice(0);
    let outcomes: WorkOutcome[];
    try {
      outcomes = batch.map((queued) => this.#inSavepoint(queued.work));
      this.#guard(() => this.#db.exec('COMMIT'));
      this.#counts.commits += 1;
    } catch (error) {
      this.#rollBack();
      for (const queued of batch) queued.reject(error);
      return;
    }
    batch.forEach((queued, index) => {
      const outcome = outcomes[index]!;
      if ('failed' in outcome) queued.reject(outcome.failed);
      else queued.resolve(outcome.value);
    });
  }

  /** `BEGIN IMMEDIATE`: undefined once begun, SQLite's "busy" error while another connection holds the write lock. */
  #tryBegin(): unknown {
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      return undefined;
    } catch (error) {
      if (sqliteCode(error) === SQLITE_BUSY) return error;
      throw storageError(error, this.path, this.#lockWaitMs);
    }
  }

  /**
   * Waits for another connection's write lock without blocking the event loop. Each queued work
   * waits its own LOCK_WAIT_MS from when it was asked for, and is refused once that is up; answers
   * whether the lock was taken, false when no work is left waiting for it.
   */
  async #waitForWriteLock(busy: unknown): Promise<boolean> {
    this.#waitingForLock = true;
    try {
      for (let pause = RETRY_PAUSE_MS.first; ; pause = Math.min(pause * 2, RETRY_PAUSE_MS.last)) {
        this.#refuseWaitingPast(Date.now() + pause, busy);
        if (this.#queued.length === 0) return false;
        await new Promise((resolve) => setTimeout(resolve, pause));
        busy = this.#tryBegin();
        if (busy === undefined) return true;
      }
    } finally {
      this.#waitingForLock = false;
    }
  }

  #refuseWaitingPast(time: number, busy: unknown): void {
    if (this.#queued.every((queued) => queued.deadline >= time)) return;
    const refused = storageError(busy, this.path, this.#lockWaitMs);
    const waiting = this.#queued.splice(0);
    for (const queued of waiting) {
      if (queued.deadline < time) queued.reject(refused);
      else this.#queued.push(queued);
    }
  }

  #inSavepoint(work: () => unknown): WorkOutcome {
    this.#db.exec('SAVEPOINT work');
    try {
      const value = work();
      this.#db.exec('RELEASE work');
      return { value };
    } catch (failed) {
      try {
        this.#db.exec('ROLLBACK TO work');
        this.#db.exec('RELEASE work');
      } catch {
        // SQLite rolled back the whole transaction already (as it does after some I/O errors): the
        // batch fails, with the reason this work gave.
        throw failed;
      }
      return { failed };
    }
  }

  #rollBack(): void {
    try {
      this.#db.exec('ROLLBACK');
    } catch {
      // SQLite rolled back already (as it does after some I/O errors).
    }
  }

  /** One statement that writes, as a transaction of its own (see `transaction`). Answers the rows changed. */
  write(sql: string, ...params: SQLInputValue[]): Promise<number> {
    return this.transaction(() => this.run(sql, ...params));
  }

  /**
   * `transaction` for start-up only, before anything is served: it waits for the lock in place,
   * blocking, as nothing else needs the event loop yet.
   */
  transactionAtStart<T>(work: () => T): T {
    this.#beginWaitingInPlace();
    return this.#inTransaction(work);
  }

  /** `BEGIN IMMEDIATE`, waiting for another connection's lock in place: only while nothing is served. */
  #beginWaitingInPlace(): void {
    this.#blockingWait(this.#lockWaitMs);
    try {
      this.#guard(() => this.#db.exec('BEGIN IMMEDIATE'));
    } finally {
      this.#blockingWait(Math.min(BLOCKING_WAIT_MS, this.#lockWaitMs));
    }
  }

  #inTransaction<T>(work: () => T): T {
    try {
      const result = work();
      this.#guard(() => this.#db.exec('COMMIT'));
      return result;
    } catch (error) {
      this.#rollBack();
      throw error;
    }
  }

  #blockingWait(ms: number) {
    this.#db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(ms))}`);
  }

  /**
   * A number that changes whenever another connection commits: polling it is how one process
   * learns that another stored work for it (SQLite has no notifications).
   */
  dataVersion(): number {
    return this.get<{ data_version: number }>('PRAGMA data_version')?.data_version ?? 0;
  }

  /** Deletes what has expired: dedup ids, holds, quiet conversations, unclaimed replies. */
  async sweep(now = Date.now()): Promise<void> {
    try {
      await this.transaction(() => this.#deleteExpired(now));
    } catch (error) {
      log.warn({ event: 'sqlite.sweep_failed', error: String(error) }, 'could not delete expired rows; will try later');
    }
  }

  #deleteExpired(now: number): void {
    for (const sql of sweepStatements) this.run(sql, now);
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    // Asked for before the close, so stored by it, as when each was written the moment it was
    // asked for.
    if (this.#queued.length > 0 && !this.#db.isTransaction) {
      try {
        this.#beginWaitingInPlace();
        this.#commitBatch();
      } catch (error) {
        for (const queued of this.#queued.splice(0)) queued.reject(error);
      }
    }
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#db.close();
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storageError(error, this.path, this.#lockWaitMs);
    }
  }
}

/** Opens (creating it if need be) cita's database at `path`, or `:memory:`. */
export function openDatabase(path: string, options?: { lockWaitMs?: number }): CitaDatabase {
  return new CitaDatabase(path, options);
}

/**
 * Creates the schema in a file that has none, or checks that the file is cita's and of a schema
 * this cita knows, migrating an older one. Two processes starting at once on a new file: the write lock makes one create
 * it and the other find it.
 */
function prepareSchema(db: DatabaseSync, path: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const { application_id: applicationId } = db.prepare('PRAGMA application_id').get() as { application_id: number };
    const { tables } = db.prepare("SELECT count(*) AS tables FROM sqlite_schema WHERE type = 'table'").get() as {
      tables: number;
    };
    if (applicationId === 0 && tables === 0) {
      db.exec(SCHEMA);
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
    } else if (applicationId !== APPLICATION_ID) {
      throw new DatabaseUnusable(
        `${path} is a SQLite database, but not cita's (it holds other tables). Move it out of the way, or set CITA_DATA_DIR to another folder.`,
      );
    } else {
      const row = db.prepare('SELECT max(version) AS version FROM schema_version').get() as { version: number | null };
      const version = row.version ?? 0;
      if (version > SCHEMA_VERSION) {
        throw new DatabaseUnusable(
          `${path} was written by a newer cita (schema ${version}; this cita knows up to ${SCHEMA_VERSION}). Run the newer cita, or restore the backup made before upgrading.`,
        );
      }
      for (let next = version + 1; next <= SCHEMA_VERSION; next++) {
        const migration = MIGRATIONS[next];
        if (migration === undefined) throw new Error(`no migration to schema ${next}: a bug in cita, please report it`);
        db.exec(migration);
        db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(next);
      }
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

function sqliteCode(error: unknown): number | undefined {
  const code = (error as { errcode?: unknown } | undefined)?.errcode;
  return typeof code === 'number' ? code & 0xff : undefined;
}

function unusable(error: unknown, path: string): Error {
  if (error instanceof DatabaseUnusable) return error;
  const code = sqliteCode(error);
  const reason = (error as Error).message;
  if (code === SQLITE_NOTADB || code === SQLITE_CORRUPT) {
    return new DatabaseUnusable(
      `${path} is not a SQLite database (${reason}). It is not cita's: move it out of the way, or set CITA_DATA_DIR to another folder.`,
    );
  }
  if (code === SQLITE_CANTOPEN || code === SQLITE_READONLY) {
    return new DatabaseUnusable(
      `cannot open ${path} for writing (${reason}): check that CITA_DATA_DIR exists and this user may write to it.`,
    );
  }
  return storageError(error, path) as Error;
}

/** SQLite's error as what went wrong for the shop and what to do; other errors unchanged. */
function storageError(error: unknown, path: string, lockWaitMs = LOCK_WAIT_MS): unknown {
  if (error instanceof StorageFailed) return error;
  const code = sqliteCode(error);
  const reason = (error as Error | undefined)?.message;
  switch (code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return new StorageFailed(
        `${path} stayed locked by another process for more than ${lockWaitMs / 1000} s, so this change was not stored (nothing stored before is lost). It is tried again; if it keeps happening, look for a program holding the file open (a backup tool, a stuck process).`,
        { cause: error },
      );
    case SQLITE_FULL:
      return new StorageFailed(
        `the disk holding ${path} is full, so this change was not stored (nothing stored before is lost). Free some space; cita carries on by itself.`,
        { cause: error },
      );
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return new StorageFailed(
        `cannot write ${path} (${reason}), so this change was not stored (nothing stored before is lost). Check the disk and that this user may write to CITA_DATA_DIR.`,
        { cause: error },
      );
    default:
      return error;
  }
}
