import { join } from 'node:path';
import { afterAll } from 'vitest';
import { type CitaDatabase, DATABASE_FILE, openDatabase } from '../../adapters/sqlite/database.ts';
import { tempDataDir } from './cita.ts';

const opened: CitaDatabase[] = [];
afterAll(() => {
  for (const database of opened.splice(0)) database.close();
});

/** A fresh in-memory database of cita's schema, closed after the test file. */
export function memoryDatabase(): CitaDatabase {
  const database = openDatabase(':memory:');
  opened.push(database);
  return database;
}

/**
 * Connections to one new database file, as that many processes would have: each its own
 * connection, so SQLite's locking (not this process's event loop) keeps them apart.
 */
export function sharedDatabase(connections: number, dataDir = tempDataDir()): CitaDatabase[] {
  const path = join(dataDir, DATABASE_FILE);
  return Array.from({ length: connections }, () => {
    const database = openDatabase(path);
    opened.push(database);
    return database;
  });
}
