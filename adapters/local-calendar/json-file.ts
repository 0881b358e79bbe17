import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';

/**
 * A small JSON document on disk, validated on read and replaced atomically on write (temporary
 * file + rename), so a crash mid-write leaves the previous version, never half a file.
 */
export class JsonFile<T> {
  readonly #path: string;
  readonly #schema: z.ZodType<T>;
  readonly #empty: () => T;
  #writes: Promise<unknown> = Promise.resolve();
  /**
   * The document as last read or written. This process is the file's only writer (several
   * processes share bookings through Redis, not through this file), so it is read from disk once;
   * re-reading and re-validating it for every list of free times grew with the bookings.
   */
  #cached: T | undefined;

  constructor(path: string, schema: z.ZodType<T>, empty: () => T) {
    this.#path = path;
    this.#schema = schema;
    this.#empty = empty;
  }

  async read(): Promise<T> {
    await this.#writes;
    return this.#readNow();
  }

  /** Reads, changes and writes the document; updates run one after another, never interleaved. */
  update<R>(change: (document: T) => R): Promise<R> {
    const run = this.#writes.then(async () => {
      const document = await this.#readNow();
      const result = change(document);
      await mkdir(dirname(this.#path), { recursive: true });
      const temporary = `${this.#path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(document, null, 2));
      await rename(temporary, this.#path);
      this.#cached = document;
      return result;
    });
    this.#writes = run.catch(() => {});
    return run;
  }

  async #readNow(): Promise<T> {
    // A copy, so a caller changing what it was given cannot change the cache.
    if (this.#cached !== undefined) return structuredClone(this.#cached);
    this.#cached = await this.#readFile();
    return structuredClone(this.#cached);
  }

  async #readFile(): Promise<T> {
    try {
      return this.#schema.parse(JSON.parse(await readFile(this.#path, 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.#empty();
      throw new Error(`${this.#path} is not a valid cita data file: ${(error as Error).message}`);
    }
  }
}
