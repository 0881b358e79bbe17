/**
 * The schema of cita's database. A change to it is a new SCHEMA_VERSION with a migration from the
 * one before in MIGRATIONS (SCHEMA is then the whole new schema, for new files); a file of a newer
 * version than this code knows is refused at start-up.
 */
export const SCHEMA_VERSION = 7;

/** Messages WhatsApp took, by outbox id, as their status webhooks tell (with the wamid it gave them). */
const DELIVERY_CONFIRMATIONS = `
CREATE TABLE delivery_confirmations (outbox_id TEXT PRIMARY KEY, wamid TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
`;

/** The SQL that takes a database of version `n - 1` to version `n`, by `n`. */
export const MIGRATIONS: Record<number, string> = {
  // The shop's side: blocked time and muted notices.
  2: `
-- Time nobody can book (a barber's day off, the shop closing early), counted as busy time.
CREATE TABLE time_blocks (id TEXT PRIMARY KEY, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX time_blocks_by_end ON time_blocks (end_ms);

-- Staff phones that switched their notices of bookings off ("avisos off").
CREATE TABLE muted_staff (phone TEXT PRIMARY KEY) WITHOUT ROWID;
`,
  // Holds are per barber's chair ('' in a shop without barbers).
  3: "ALTER TABLE holds ADD COLUMN barber TEXT NOT NULL DEFAULT '';",
  // The inbox claims phones in turn (least recently served first), not oldest message first.
  4: `
CREATE TABLE inbox_ready (phone TEXT PRIMARY KEY, ready_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX inbox_ready_by_time ON inbox_ready (ready_at);
INSERT INTO inbox_ready (phone, ready_at) SELECT phone, 0 FROM inbox_messages GROUP BY phone;
`,
  // Customers known by a WhatsApp user id, and the messages cita sent.
  5: `
-- Which customer a WhatsApp user id stands for (their phone, or the user id itself), and the ids of
-- the messages cita sent (an echo of one of them is cita's own, not the shop writing by hand).
CREATE TABLE customer_aliases (user_id TEXT PRIMARY KEY, customer TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE sent_messages (message_id TEXT PRIMARY KEY, phone TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
`,
  // A reply's send is recorded before it goes out, and WhatsApp's statuses name what it took.
  6: `
ALTER TABLE delivery_progress ADD COLUMN started INTEGER NOT NULL DEFAULT 0;
ALTER TABLE delivery_progress ADD COLUMN started_by TEXT;
${DELIVERY_CONFIRMATIONS}`,
  // The shop's calendar is the truth: changes made in it reach cita (calendar sync).
  7: `
-- What changed in the shop's appointments, in order (the embedded calendar's change log), and
-- how far each calendar was read, under a lease; what cita last wrote of each appointment; push channels.
CREATE TABLE calendar_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, shop TEXT NOT NULL, at_ms INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX calendar_changes_by_shop ON calendar_changes (shop, seq);
CREATE TABLE calendar_sync (
  shop TEXT NOT NULL, source TEXT NOT NULL, position TEXT, holder TEXT, lease_until INTEGER NOT NULL DEFAULT 0,
  again INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (shop, source)
) WITHOUT ROWID;
CREATE TABLE calendar_writes (shop TEXT NOT NULL, booking_id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (shop, booking_id)) WITHOUT ROWID;
CREATE TABLE calendar_channels (shop TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (shop, id)) WITHOUT ROWID;
`,
};

/** Times are milliseconds since the epoch (UTC); the records themselves are JSON as the ports define them. */
export const SCHEMA = `
CREATE TABLE schema_version (version INTEGER NOT NULL);

-- The inbox: each phone's messages in arrival order (seq), who is handling a phone (a lease), and
-- the message ids seen (deduplication).
CREATE TABLE inbox_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  phone TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX inbox_messages_by_phone ON inbox_messages (phone, seq);
CREATE TABLE inbox_seen (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE inbox_leases (phone TEXT PRIMARY KEY, token TEXT NOT NULL, until INTEGER NOT NULL) WITHOUT ROWID;
-- Phones with queued messages, by when they may next be claimed: a phone just served goes to the
-- back, so one customer's flood never keeps the others waiting (the Redis inbox's ready index).
CREATE TABLE inbox_ready (phone TEXT PRIMARY KEY, ready_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX inbox_ready_by_time ON inbox_ready (ready_at);

CREATE TABLE conversations (
  phone TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  body TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE holds (
  token TEXT PRIMARY KEY,
  phone TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  barber TEXT NOT NULL DEFAULT ''
);
CREATE INDEX holds_by_end ON holds (end_ms);

CREATE TABLE appointments (
  id TEXT PRIMARY KEY,
  phone TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX appointments_by_end ON appointments (end_ms);
CREATE INDEX appointments_by_phone ON appointments (phone, start_ms);

CREATE TABLE history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  phone TEXT NOT NULL,
  body TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX history_by_phone ON history (phone, seq);

CREATE TABLE reminders (key TEXT PRIMARY KEY, booking_id TEXT NOT NULL, due_ms INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX reminders_by_due ON reminders (due_ms);
CREATE INDEX reminders_by_booking ON reminders (booking_id);

CREATE TABLE rate_seen (phone TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (phone, id)) WITHOUT ROWID;
CREATE TABLE rate_warned (phone TEXT PRIMARY KEY, id TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;

-- Replies to simulator and terminal-chat messages handled by another process than the one waiting.
CREATE TABLE simulator_replies (message_id TEXT PRIMARY KEY, body TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;

-- How far each WhatsApp turn's replies got, and the shared send bucket of the business number.
CREATE TABLE delivery_progress (
  in_reply_to TEXT PRIMARY KEY,
  delivered INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  started INTEGER NOT NULL DEFAULT 0,
  started_by TEXT
) WITHOUT ROWID;
${DELIVERY_CONFIRMATIONS}
-- Time nobody can book (a barber's day off, the shop closing early), counted as busy time.
CREATE TABLE time_blocks (id TEXT PRIMARY KEY, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX time_blocks_by_end ON time_blocks (end_ms);

-- Staff phones that switched their notices of bookings off ("avisos off").
CREATE TABLE muted_staff (phone TEXT PRIMARY KEY) WITHOUT ROWID;

-- Which customer a WhatsApp user id stands for (their phone, or the user id itself), and the ids of
-- the messages cita sent (an echo of one of them is cita's own, not the shop writing by hand).
CREATE TABLE customer_aliases (user_id TEXT PRIMARY KEY, customer TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE sent_messages (message_id TEXT PRIMARY KEY, phone TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
-- What changed in the shop's appointments, in order (the embedded calendar's change log), and
-- how far each calendar was read, under a lease; what cita last wrote of each appointment; push channels.
CREATE TABLE calendar_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, shop TEXT NOT NULL, at_ms INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX calendar_changes_by_shop ON calendar_changes (shop, seq);
CREATE TABLE calendar_sync (
  shop TEXT NOT NULL, source TEXT NOT NULL, position TEXT, holder TEXT, lease_until INTEGER NOT NULL DEFAULT 0,
  again INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (shop, source)
) WITHOUT ROWID;
CREATE TABLE calendar_writes (shop TEXT NOT NULL, booking_id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (shop, booking_id)) WITHOUT ROWID;
CREATE TABLE calendar_channels (shop TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (shop, id)) WITHOUT ROWID;

CREATE TABLE send_pacing (
  phone_number_id TEXT PRIMARY KEY,
  tokens REAL NOT NULL,
  at INTEGER NOT NULL,
  slow_until INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** The embedded calendar's changes are kept a month: every process reads them within a poll. */
const CALENDAR_CHANGES_MS = 30 * 24 * 60 * 60_000;

/** Rate-limit counts are deleted a day after they were made: far longer than any window. */
const RATE_ROWS_MS = 24 * 60 * 60_000;

/** Each deletes what expired before its one parameter, the time now. */
export const sweepStatements = [
  'DELETE FROM inbox_seen WHERE expires_at <= ?',
  'DELETE FROM holds WHERE expires_at <= ?',
  'DELETE FROM conversations WHERE expires_at <= ?',
  'DELETE FROM history WHERE expires_at <= ?',
  `DELETE FROM rate_seen WHERE at <= ? - ${RATE_ROWS_MS}`,
  `DELETE FROM rate_warned WHERE at <= ? - ${RATE_ROWS_MS}`,
  'DELETE FROM simulator_replies WHERE expires_at <= ?',
  'DELETE FROM delivery_progress WHERE expires_at <= ?',
  'DELETE FROM customer_aliases WHERE expires_at <= ?',
  'DELETE FROM sent_messages WHERE expires_at <= ?',
  'DELETE FROM delivery_confirmations WHERE expires_at <= ?',
  `DELETE FROM calendar_changes WHERE at_ms <= ? - ${CALENDAR_CHANGES_MS}`,
];
