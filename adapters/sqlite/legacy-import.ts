import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Appointment, HistoryEntry } from '../../src/engine/ports.ts';
import { log } from '../../src/log.ts';
import { type CitaDatabase, DatabaseUnusable } from './database.ts';

/** What an earlier cita kept in CITA_DATA_DIR before the database. */
const LEGACY_FILES = {
  calendar: { name: 'calendar.json', schema: z.object({ appointments: z.array(Appointment) }) },
  history: { name: 'history.json', schema: z.record(z.string(), z.array(HistoryEntry)) },
};

/** The suffix an imported file is renamed with: kept as it was, never read again. */
export const IMPORTED_SUFFIX = '.imported';

/**
 * Moves the appointments and booking history an earlier cita kept in `calendar.json` and
 * `history.json` into the database, once: each file is read, written and renamed to
 * `<name>.imported` inside one transaction, so two processes starting at once import it once.
 * A file that does not read stops the start-up, naming it: nobody loses appointments silently.
 */
export function importLegacyFiles(db: CitaDatabase, dataDir: string): void {
  const calendarPath = join(dataDir, LEGACY_FILES.calendar.name);
  const historyPath = join(dataDir, LEGACY_FILES.history.name);
  if (!existsSync(calendarPath) && !existsSync(historyPath)) return;
  db.transactionAtStart(() => {
    const calendar = readLegacy(calendarPath, LEGACY_FILES.calendar.schema);
    for (const appointment of calendar?.appointments ?? []) {
      db.run(
        "INSERT OR IGNORE INTO appointments (shop, id, phone, start_ms, end_ms, body) VALUES ('default', ?, ?, ?, ?, ?)",
        appointment.id,
        appointment.phone,
        Date.parse(appointment.start),
        Date.parse(appointment.end),
        JSON.stringify(appointment),
      );
    }
    const history = readLegacy(historyPath, LEGACY_FILES.history.schema);
    let entries = 0;
    for (const [phone, list] of Object.entries(history ?? {})) {
      for (const entry of list) {
        db.run(
          'INSERT INTO history (phone, body, expires_at) VALUES (?, ?, ?)',
          phone,
          JSON.stringify(entry),
          Date.now() + 365 * 24 * 60 * 60_000,
        );
        entries++;
      }
    }
    // Renamed before the commit: a second process waiting for the lock then finds nothing to import.
    if (calendar) renameSync(calendarPath, calendarPath + IMPORTED_SUFFIX);
    if (history) renameSync(historyPath, historyPath + IMPORTED_SUFFIX);
    log.info(
      { event: 'sqlite.legacy_imported', appointments: calendar?.appointments.length ?? 0, historyEntries: entries },
      `imported the earlier data files into ${db.path}; the originals are kept as *${IMPORTED_SUFFIX}`,
    );
  });
}

function readLegacy<T>(path: string, schema: z.ZodType<T>): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return schema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    const reason = error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message;
    throw new DatabaseUnusable(
      `${path}, kept by an earlier cita, could not be imported into the database: ${reason}. Fix the file or move it out of CITA_DATA_DIR, then start again; nothing was imported.`,
    );
  }
}
