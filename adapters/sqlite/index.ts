import { join } from 'node:path';
import { SqliteCalendar } from './calendar.ts';
import { SqliteCalendarSyncStore } from './calendar-sync.ts';
import { SqliteConversationStore } from './conversations.ts';
import { SqliteCustomerAliases } from './customer-aliases.ts';
import { DATABASE_FILE, openDatabase } from './database.ts';
import { SqliteBookingHistory } from './history.ts';
import { SqliteSlotHolds } from './holds.ts';
import { SqliteInbox } from './inbox.ts';
import { importLegacyFiles } from './legacy-import.ts';
import { SqliteNoticeSettings } from './notice-settings.ts';
import { SqliteOptOuts } from './opt-outs.ts';
import { SqliteRateLimiter } from './rate-limiter.ts';
import { SqliteReminderSchedule } from './reminders.ts';
import { SqliteReplyBus } from './replies.ts';
import { SqliteTranscripts } from './transcripts.ts';
import { SqliteWaitlist } from './waitlist.ts';

export interface SqliteAdapterOptions {
  /** CITA_DATA_DIR: the database is `<dataDir>/cita.db`, and older data files there are imported once. */
  dataDir?: string;
  /** Another file, or `:memory:` (tests); default `<dataDir>/cita.db`. */
  path?: string;
}

/**
 * Every port cita keeps, in one SQLite database: the embedded default, with nothing to set up.
 * Any number of processes on one machine (`npm start`, `npm run chat`, several servers) built
 * this way on one file share the work safely: each message is handled once, in order per phone,
 * and each slot has one winner. Past one machine, use Redis.
 *
 * @example
 * const sqlite = createSqliteAdapters({ dataDir: 'data' });
 * const cita = createCita({ shop, dataDir, adapters: sqlite.adapters, onStop: sqlite.close });
 */
export function createSqliteAdapters({ dataDir, path }: SqliteAdapterOptions) {
  const file = path ?? (dataDir ? join(dataDir, DATABASE_FILE) : ':memory:');
  const database = openDatabase(file);
  if (dataDir && file !== ':memory:') {
    try {
      importLegacyFiles(database, dataDir);
    } catch (error) {
      database.close();
      throw error;
    }
  }
  const inbox = new SqliteInbox(database);
  return {
    database,
    adapters: {
      inbox,
      conversations: new SqliteConversationStore(database),
      holds: new SqliteSlotHolds(database),
      calendar: new SqliteCalendar(database),
      history: new SqliteBookingHistory(database),
      rateLimiter: new SqliteRateLimiter(database),
      reminders: new SqliteReminderSchedule(database),
      noticeSettings: new SqliteNoticeSettings(database),
      aliases: new SqliteCustomerAliases(database),
      waitlist: new SqliteWaitlist(database),
      optOuts: new SqliteOptOuts(database),
      replies: new SqliteReplyBus(database),
      calendarSync: new SqliteCalendarSyncStore(database),
      transcripts: new SqliteTranscripts(database),
    },
    /** The ports one shop owns, its rows keyed by its id (the inbox and replies serve every shop). */
    forShop: (shop: string) => ({
      conversations: new SqliteConversationStore(database, { shop }),
      holds: new SqliteSlotHolds(database, { shop }),
      calendar: new SqliteCalendar(database, { shop }),
      history: new SqliteBookingHistory(database, { shop }),
      rateLimiter: new SqliteRateLimiter(database, { shop }),
      reminders: new SqliteReminderSchedule(database, { shop }),
      noticeSettings: new SqliteNoticeSettings(database, { shop }),
      aliases: new SqliteCustomerAliases(database, { shop }),
      waitlist: new SqliteWaitlist(database, { shop }),
      optOuts: new SqliteOptOuts(database, { shop }),
      calendarSync: new SqliteCalendarSyncStore(database, { shop }),
      transcripts: new SqliteTranscripts(database, { shop }),
    }),
    /** Closes the database once the workers have stopped. */
    async close() {
      await inbox.close();
      database.close();
    },
  };
}

export type SqliteAdapters = ReturnType<typeof createSqliteAdapters>;
