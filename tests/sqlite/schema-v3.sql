-- cita's schema at version 3 (before shops had ids), for the migration tests.
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
CREATE TABLE delivery_progress (in_reply_to TEXT PRIMARY KEY, delivered INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
-- Time nobody can book (a barber's day off, the shop closing early), counted as busy time.
CREATE TABLE time_blocks (id TEXT PRIMARY KEY, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX time_blocks_by_end ON time_blocks (end_ms);

-- Staff phones that switched their notices of bookings off ("avisos off").
CREATE TABLE muted_staff (phone TEXT PRIMARY KEY) WITHOUT ROWID;

CREATE TABLE send_pacing (
  phone_number_id TEXT PRIMARY KEY,
  tokens REAL NOT NULL,
  at INTEGER NOT NULL,
  slow_until INTEGER NOT NULL
) WITHOUT ROWID;
