import { join } from 'node:path';
import { z } from 'zod';
import { type BookingHistory, HistoryEntry } from '../../src/engine/ports.ts';
import { JsonFile } from './json-file.ts';

const HistoryFile = z.record(z.string(), z.array(HistoryEntry));

/** The embedded booking history: every phone's bookings in `<dataDir>/history.json`. */
export class LocalBookingHistory implements BookingHistory {
  readonly #file: JsonFile<z.infer<typeof HistoryFile>>;

  constructor(dataDir: string) {
    this.#file = new JsonFile(join(dataDir, 'history.json'), HistoryFile, () => ({}));
  }

  async record(phone: string, entry: HistoryEntry): Promise<void> {
    await this.#file.update((history) => {
      history[phone] = [...(history[phone] ?? []), entry];
    });
  }

  async list(phone: string): Promise<HistoryEntry[]> {
    return (await this.#file.read())[phone] ?? [];
  }
}
