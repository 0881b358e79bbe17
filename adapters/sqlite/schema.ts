/**
 * The schema of cita's database. A change to it is a new SCHEMA_VERSION with a migration from the
 * one before in MIGRATIONS (SCHEMA is then the whole new schema, for new files); a file of a newer
 * version than this code knows is refused at start-up.
 */
export const SCHEMA_VERSION = 12;

/** Warnings given to a shop's staff (a refused template, a closed window…), each until `until_ms`, with a note. */
const STAFF_TOLD = `
CREATE TABLE staff_told (shop TEXT NOT NULL, cause TEXT NOT NULL, until_ms INTEGER NOT NULL, note TEXT NOT NULL, PRIMARY KEY (shop, cause)) WITHOUT ROWID;
`;

/**
 * The messages cita sent, by outbox id, as sent to the Graph API (`body`, in order by `seq`); a
 * message WhatsApp later fails for throughput (130429, 131056) is due again at `resend_at`.
 */
const KEPT_MESSAGES = `
CREATE TABLE kept_messages (
  shop TEXT NOT NULL, outbox_id TEXT NOT NULL, phone TEXT NOT NULL, body TEXT NOT NULL, seq INTEGER NOT NULL,
  resend_at INTEGER, tries INTEGER NOT NULL DEFAULT 0, expires_at INTEGER NOT NULL, PRIMARY KEY (shop, outbox_id)
) WITHOUT ROWID;
CREATE INDEX kept_messages_due ON kept_messages (shop, resend_at) WHERE resend_at IS NOT NULL;
`;

/** Waitlists of full days and the offers held for them, and opt-outs (keyed by shop, as everything a shop owns). */
const WAITLISTS = `
-- Customers waiting for time on a full day, first come (seq) first; the offer held for one of them.
CREATE TABLE waitlist (
  shop TEXT NOT NULL,
  date TEXT NOT NULL,
  phone TEXT NOT NULL,
  seq INTEGER NOT NULL,
  body TEXT NOT NULL,
  offer_id TEXT,
  offer_expires_ms INTEGER,
  offer TEXT,
  PRIMARY KEY (shop, date, phone)
) WITHOUT ROWID;
CREATE INDEX waitlist_by_phone ON waitlist (shop, phone);
CREATE INDEX waitlist_by_offer ON waitlist (shop, offer_id);
-- The process offering a shop's freed time, until its lead ends.
CREATE TABLE waitlist_lead (shop TEXT PRIMARY KEY, owner TEXT NOT NULL, until_ms INTEGER NOT NULL) WITHOUT ROWID;
-- Customers who asked cita not to write to them on its own ("no más avisos"), kept for good.
CREATE TABLE opt_outs (shop TEXT NOT NULL, phone TEXT NOT NULL, at_ms INTEGER NOT NULL, PRIMARY KEY (shop, phone)) WITHOUT ROWID;
`;

/**
 * The longest appointment of a shop, read off an index: an appointment ending more than that after
 * a window's end starts after it, so a busy-time look-up reads only the appointments ending within
 * it (the index by end alone read every later appointment, each from its row).
 */
const APPOINTMENT_LENGTHS = `
CREATE INDEX appointments_by_length ON appointments (shop, end_ms - start_ms);
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
-- Messages WhatsApp took, by outbox id, as their status webhooks tell (with the wamid it gave them).
CREATE TABLE delivery_confirmations (outbox_id TEXT PRIMARY KEY, wamid TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
`,
  // Many shops in one file: whatever a shop owns is keyed by it too, and the inbox's queues are
  // its customers' (shop and phone). Rows stored before belong to the single-shop set-up's shop
  // ('default'); a WhatsApp user id is scoped to the business account, so aliases are the shop's
  // too, like what cita sent and how far each reply got. Keys that change are rebuilt (SQLite cannot alter them).
  7: `
UPDATE inbox_messages SET phone = 'default:' || phone;
UPDATE inbox_ready SET phone = 'default:' || phone;
UPDATE inbox_leases SET phone = 'default:' || phone;
CREATE TABLE conversations_7 (shop TEXT NOT NULL, phone TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (shop, phone)) WITHOUT ROWID;
INSERT INTO conversations_7 SELECT 'default', phone, version, body, expires_at FROM conversations;
DROP TABLE conversations; ALTER TABLE conversations_7 RENAME TO conversations;
ALTER TABLE holds ADD COLUMN shop TEXT NOT NULL DEFAULT 'default';
DROP INDEX holds_by_end;
CREATE INDEX holds_by_end ON holds (shop, end_ms);
CREATE TABLE appointments_7 (shop TEXT NOT NULL, id TEXT NOT NULL, phone TEXT NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (shop, id));
INSERT INTO appointments_7 SELECT 'default', id, phone, start_ms, end_ms, body FROM appointments;
DROP TABLE appointments; ALTER TABLE appointments_7 RENAME TO appointments;
CREATE INDEX appointments_by_end ON appointments (shop, end_ms);
CREATE INDEX appointments_by_phone ON appointments (shop, phone, start_ms);
ALTER TABLE history ADD COLUMN shop TEXT NOT NULL DEFAULT 'default';
DROP INDEX history_by_phone;
CREATE INDEX history_by_phone ON history (shop, phone, seq);
CREATE TABLE reminders_7 (shop TEXT NOT NULL, key TEXT NOT NULL, booking_id TEXT NOT NULL, due_ms INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (shop, key));
INSERT INTO reminders_7 SELECT 'default', key, booking_id, due_ms, body FROM reminders;
DROP TABLE reminders; ALTER TABLE reminders_7 RENAME TO reminders;
CREATE INDEX reminders_by_due ON reminders (shop, due_ms);
CREATE INDEX reminders_by_booking ON reminders (shop, booking_id);
CREATE TABLE rate_seen_7 (shop TEXT NOT NULL, phone TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (shop, phone, id)) WITHOUT ROWID;
INSERT INTO rate_seen_7 SELECT 'default', phone, id, at FROM rate_seen;
DROP TABLE rate_seen; ALTER TABLE rate_seen_7 RENAME TO rate_seen;
CREATE TABLE rate_warned_7 (shop TEXT NOT NULL, phone TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (shop, phone)) WITHOUT ROWID;
INSERT INTO rate_warned_7 SELECT 'default', phone, id, at FROM rate_warned;
DROP TABLE rate_warned; ALTER TABLE rate_warned_7 RENAME TO rate_warned;
CREATE TABLE time_blocks_7 (shop TEXT NOT NULL, id TEXT NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (shop, id));
INSERT INTO time_blocks_7 SELECT 'default', id, start_ms, end_ms, body FROM time_blocks;
DROP TABLE time_blocks; ALTER TABLE time_blocks_7 RENAME TO time_blocks;
CREATE INDEX time_blocks_by_end ON time_blocks (shop, end_ms);
CREATE TABLE muted_staff_7 (shop TEXT NOT NULL, phone TEXT NOT NULL, PRIMARY KEY (shop, phone)) WITHOUT ROWID;
INSERT INTO muted_staff_7 SELECT 'default', phone FROM muted_staff;
DROP TABLE muted_staff; ALTER TABLE muted_staff_7 RENAME TO muted_staff;
CREATE TABLE customer_aliases_7 (shop TEXT NOT NULL, user_id TEXT NOT NULL, customer TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (shop, user_id)) WITHOUT ROWID;
INSERT INTO customer_aliases_7 SELECT 'default', user_id, customer, expires_at FROM customer_aliases;
DROP TABLE customer_aliases; ALTER TABLE customer_aliases_7 RENAME TO customer_aliases;
CREATE TABLE sent_messages_7 (shop TEXT NOT NULL, message_id TEXT NOT NULL, phone TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (shop, message_id)) WITHOUT ROWID;
INSERT INTO sent_messages_7 SELECT 'default', message_id, phone, expires_at FROM sent_messages;
DROP TABLE sent_messages; ALTER TABLE sent_messages_7 RENAME TO sent_messages;
CREATE TABLE delivery_progress_7 (shop TEXT NOT NULL, in_reply_to TEXT NOT NULL, delivered INTEGER NOT NULL, expires_at INTEGER NOT NULL, started INTEGER NOT NULL DEFAULT 0, started_by TEXT, PRIMARY KEY (shop, in_reply_to)) WITHOUT ROWID;
INSERT INTO delivery_progress_7 SELECT 'default', in_reply_to, delivered, expires_at, started, started_by FROM delivery_progress;
DROP TABLE delivery_progress; ALTER TABLE delivery_progress_7 RENAME TO delivery_progress;
CREATE TABLE delivery_confirmations_7 (shop TEXT NOT NULL, outbox_id TEXT NOT NULL, wamid TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (shop, outbox_id)) WITHOUT ROWID;
INSERT INTO delivery_confirmations_7 SELECT 'default', outbox_id, wamid, expires_at FROM delivery_confirmations;
DROP TABLE delivery_confirmations; ALTER TABLE delivery_confirmations_7 RENAME TO delivery_confirmations;
`,
  // The shop's calendar is the truth: changes made in it reach cita (calendar sync), each shop's its own.
  8: `
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
  // What the simulator page shows of a conversation, whichever channel it came through.
  9: `
-- Each customer's conversation in messages (theirs and cita's), newest kept, forgotten a day after the latest.
CREATE TABLE transcripts (seq INTEGER PRIMARY KEY AUTOINCREMENT, shop TEXT NOT NULL, phone TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, expires_at INTEGER NOT NULL);
CREATE UNIQUE INDEX transcripts_by_id ON transcripts (shop, phone, id);
CREATE INDEX transcripts_by_phone ON transcripts (shop, phone, seq);
CREATE INDEX transcripts_by_expiry ON transcripts (expires_at);
`,
  // WhatsApp's late refusals: warnings the staff were given (once per shop, whichever process), and
  // the messages cita sent, kept a while (KEPT_MS) so one that WhatsApp later fails for throughput is sent again.
  // (send_pacing came into the schema of new files without a migration: files older than it get it here.)
  10: `${STAFF_TOLD}${KEPT_MESSAGES}
CREATE TABLE IF NOT EXISTS send_pacing (phone_number_id TEXT PRIMARY KEY, tokens REAL NOT NULL, at INTEGER NOT NULL, slow_until INTEGER NOT NULL) WITHOUT ROWID;
`,
  11: WAITLISTS,
  12: APPOINTMENT_LENGTHS,
};

/** Times are milliseconds since the epoch (UTC); the records themselves are JSON as the ports define them. */
export const SCHEMA = `
CREATE TABLE schema_version (version INTEGER NOT NULL);

-- Every row a shop owns carries the shop's id: one file serves every shop of the process. The
-- inbox's "phone" is a customer id (<shop>:<phone>): the same phone at two shops is two queues.

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
  shop TEXT NOT NULL,
  phone TEXT NOT NULL,
  version INTEGER NOT NULL,
  body TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (shop, phone)
) WITHOUT ROWID;

CREATE TABLE holds (
  token TEXT PRIMARY KEY,
  phone TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  barber TEXT NOT NULL DEFAULT '',
  shop TEXT NOT NULL DEFAULT 'default'
);
CREATE INDEX holds_by_end ON holds (shop, end_ms);

CREATE TABLE appointments (
  shop TEXT NOT NULL,
  id TEXT NOT NULL,
  phone TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (shop, id)
);
CREATE INDEX appointments_by_end ON appointments (shop, end_ms);
CREATE INDEX appointments_by_phone ON appointments (shop, phone, start_ms);
${APPOINTMENT_LENGTHS}
CREATE TABLE history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  phone TEXT NOT NULL,
  body TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  shop TEXT NOT NULL DEFAULT 'default'
);
CREATE INDEX history_by_phone ON history (shop, phone, seq);

CREATE TABLE reminders (shop TEXT NOT NULL, key TEXT NOT NULL, booking_id TEXT NOT NULL, due_ms INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (shop, key));
CREATE INDEX reminders_by_due ON reminders (shop, due_ms);
CREATE INDEX reminders_by_booking ON reminders (shop, booking_id);

CREATE TABLE rate_seen (shop TEXT NOT NULL, phone TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (shop, phone, id)) WITHOUT ROWID;
CREATE TABLE rate_warned (shop TEXT NOT NULL, phone TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (shop, phone)) WITHOUT ROWID;

-- Replies to simulator and terminal-chat messages handled by another process than the one waiting.
CREATE TABLE simulator_replies (message_id TEXT PRIMARY KEY, body TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;

-- How far each WhatsApp turn's replies got, the messages WhatsApp took (by outbox id, as its status
-- webhooks tell, with the wamid it gave them), and the shared send bucket of each business number.
CREATE TABLE delivery_progress (
  shop TEXT NOT NULL,
  in_reply_to TEXT NOT NULL,
  delivered INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  started INTEGER NOT NULL DEFAULT 0,
  started_by TEXT,
  PRIMARY KEY (shop, in_reply_to)
) WITHOUT ROWID;
CREATE TABLE delivery_confirmations (shop TEXT NOT NULL, outbox_id TEXT NOT NULL, wamid TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (shop, outbox_id)) WITHOUT ROWID;
-- Time nobody can book (a barber's day off, the shop closing early), counted as busy time.
CREATE TABLE time_blocks (shop TEXT NOT NULL, id TEXT NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (shop, id));
CREATE INDEX time_blocks_by_end ON time_blocks (shop, end_ms);

-- Staff phones that switched their notices of bookings off ("avisos off").
CREATE TABLE muted_staff (shop TEXT NOT NULL, phone TEXT NOT NULL, PRIMARY KEY (shop, phone)) WITHOUT ROWID;

-- Which customer a WhatsApp user id stands for (their phone, or the user id itself), and the ids of
-- the messages cita sent (an echo of one of them is cita's own, not the shop writing by hand).
CREATE TABLE customer_aliases (shop TEXT NOT NULL, user_id TEXT NOT NULL, customer TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (shop, user_id)) WITHOUT ROWID;
CREATE TABLE sent_messages (shop TEXT NOT NULL, message_id TEXT NOT NULL, phone TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (shop, message_id)) WITHOUT ROWID;
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
-- Each customer's conversation in messages (theirs and cita's), newest kept, forgotten a day after the latest.
CREATE TABLE transcripts (seq INTEGER PRIMARY KEY AUTOINCREMENT, shop TEXT NOT NULL, phone TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, expires_at INTEGER NOT NULL);
CREATE UNIQUE INDEX transcripts_by_id ON transcripts (shop, phone, id);
CREATE INDEX transcripts_by_phone ON transcripts (shop, phone, seq);
CREATE INDEX transcripts_by_expiry ON transcripts (expires_at);

${WAITLISTS}
CREATE TABLE send_pacing (
  phone_number_id TEXT PRIMARY KEY,
  tokens REAL NOT NULL,
  at INTEGER NOT NULL,
  slow_until INTEGER NOT NULL
) WITHOUT ROWID;
${STAFF_TOLD}${KEPT_MESSAGES}`;

/** The embedded calendar's changes are kept a month: every process reads them within a poll. */
const CALENDAR_CHANGES_MS = 30 * 24 * 60 * 60_000;

/** Rate-limit counts are deleted a day after they were made: far longer than any window. */
const RATE_ROWS_MS = 24 * 60 * 60_000;

/**
 * How far behind the newest row of a transcript an older row's expiry may fall before an append
 * moves it up. A transcript lives by its newest row (reads look at that row's expiry), so the
 * older rows need not be rewritten on every message: rewriting up to 100 rows per append was a
 * twelfth of a message's CPU in process. The sweep leaves a row this long past its own expiry, by
 * which time the newest row of its transcript has expired too.
 */
export const TRANSCRIPT_REFRESH_SLACK_MS = 60 * 60_000;

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
  // A transcript's older rows may expire up to the slack before its newest (see transcripts.ts).
  `DELETE FROM transcripts WHERE expires_at <= ? - ${TRANSCRIPT_REFRESH_SLACK_MS}`,
  `DELETE FROM calendar_changes WHERE at_ms <= ? - ${CALENDAR_CHANGES_MS}`,
  'DELETE FROM staff_told WHERE until_ms <= ?',
  'DELETE FROM kept_messages WHERE expires_at <= ?',
];
