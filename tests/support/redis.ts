import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort, redisAnswers } from './net.ts';

/** A Redis for tests, and how to let it go. */
export interface TestRedis {
  url: string;
  /** A new connection; closed by `stop`. */
  connect(): Redis;
  /** A key prefix no other test run uses. */
  prefix(): string;
  /** Deletes every key under the prefix. */
  clean(prefix: string): Promise<void>;
  /** Closes the connections and stops the redis-server this helper started, if it did. */
  stop(): Promise<void>;
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/**
 * The Redis the tests run against: `REDIS_URL` if set, else the one at 127.0.0.1:6379, else a
 * `redis-server` started here on a free port. With none to be had the Redis tests are skipped,
 * saying so, except in CI (`CI` set), where that is an error: CI never passes by skipping.
 *
 * @example
 * const redis = await testRedis();
 * describe.skipIf(!redis)('on Redis', () => { ... });
 */
export async function testRedis(): Promise<TestRedis | undefined> {
  const found = await findRedis();
  if (!found) {
    const why = 'no Redis: REDIS_URL is not set, nothing answers at 127.0.0.1:6379 and redis-server could not start';
    if (process.env.CI) throw new Error(`${why}. CI must run the Redis tests: install redis-server or set REDIS_URL.`);
    console.warn(`${why}; skipping the Redis tests.`);
    return undefined;
  }
  const connections: Redis[] = [];
  return {
    url: found.url,
    connect() {
      const redis = new Redis(found.url, { maxRetriesPerRequest: 2 });
      connections.push(redis);
      return redis;
    },
    prefix: () => `cita-test-${randomUUID().slice(0, 8)}`,
    async clean(prefix) {
      const redis = new Redis(found.url);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.unlink(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
    async stop() {
      await Promise.all(connections.map((redis) => redis.quit().catch(() => redis.disconnect())));
      found.server?.kill('SIGTERM');
    },
  };
}

async function findRedis(): Promise<{ url: string; server?: ChildProcess } | undefined> {
  if (process.env.REDIS_URL) {
    if (await redisAnswers(process.env.REDIS_URL)) return { url: process.env.REDIS_URL };
    throw new Error(`REDIS_URL is set to ${process.env.REDIS_URL} but nothing answers there.`);
  }
  if (await redisAnswers(DEFAULT_URL)) return { url: DEFAULT_URL };
  return startRedisServer();
}

async function startRedisServer(): Promise<{ url: string; server: ChildProcess } | undefined> {
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  let dead = false;
  const failed = new Promise<false>((resolve) => {
    const die = () => {
      dead = true;
      resolve(false);
    };
    server.once('error', die);
    server.once('exit', die);
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    const up = await Promise.race([redisAnswers(url), failed]);
    if (up) {
      process.once('exit', () => server.kill('SIGTERM'));
      return { url, server };
    }
    if (dead) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  server.kill('SIGTERM');
  return undefined;
}
