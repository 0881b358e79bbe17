import type { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { type TestRedis, testRedis } from '../support/redis.ts';

/** One implementation of a port under test: `make` builds a fresh one, isolated from the others. */
export interface Implementation<T> {
  name: string;
  make: () => T;
}

export interface RedisRun {
  redis: TestRedis;
  /** A connection shared by the file's tests. */
  connection(): Redis;
  /** A prefix of its own for one test; its keys are deleted after the file. */
  prefix(): string;
}

/**
 * The Redis this test file runs against (undefined, with a warning, only outside CI), with
 * connections and key prefixes cleaned up after the file.
 */
export async function redisRun(): Promise<RedisRun | undefined> {
  const redis = await testRedis();
  if (!redis) return undefined;
  const prefixes: string[] = [];
  let shared: Redis | undefined;
  afterAll(async () => {
    await Promise.all(prefixes.map((prefix) => redis.clean(prefix)));
    await redis.stop();
  });
  return {
    redis,
    connection() {
      shared ??= redis.connect();
      return shared;
    },
    prefix() {
      const prefix = redis.prefix();
      prefixes.push(prefix);
      return prefix;
    },
  };
}

/**
 * The embedded implementation (SQLite; `memoryDatabase()` gives each its own database) and the
 * Redis one when there is a Redis.
 */
export function implementations<T>(
  sqlite: () => T,
  onRedis: ((run: RedisRun) => T) | undefined,
  run: RedisRun | undefined,
) {
  const list: Implementation<T>[] = [{ name: 'sqlite', make: sqlite }];
  if (run && onRedis) list.push({ name: 'redis', make: () => onRedis(run) });
  return list;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
