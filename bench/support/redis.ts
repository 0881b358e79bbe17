import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisAnswers as answers } from '../../tests/support/net.ts';

/** The Redis every benchmark uses: `REDIS_URL`, else the local one. */
export const BENCH_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other run uses, so benchmarks never touch a shop's (or a test's) keys. */
export function benchPrefix(name: string): string {
  return `cita-bench-${name}-${randomUUID().slice(0, 8)}`;
}

export function connectRedis(url = BENCH_REDIS_URL): Redis {
  return new Redis(url, { maxRetriesPerRequest: 2 });
}

/** Every key under the prefix. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

/** Deletes every key under the prefix. */
export async function cleanPrefix(redis: Redis, prefix: string): Promise<number> {
  const keys = await keysUnder(redis, prefix);
  for (let at = 0; at < keys.length; at += 1000) await redis.unlink(...keys.slice(at, at + 1000));
  return keys.length;
}

/** A numeric field of `INFO <section>`, e.g. used_memory or total_commands_processed. */
export async function infoNumber(redis: Redis, section: string, field: string): Promise<number> {
  const info = await redis.info(section);
  const line = info.split('\r\n').find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`Redis INFO ${section} has no ${field}`);
  return Number(line.slice(field.length + 1));
}

/** Redis's own CPU seconds (user + system) and commands processed so far. */
export async function redisCounters(redis: Redis) {
  const [user, system, commands] = await Promise.all([
    infoNumber(redis, 'cpu', 'used_cpu_user'),
    infoNumber(redis, 'cpu', 'used_cpu_sys'),
    infoNumber(redis, 'stats', 'total_commands_processed'),
  ]);
  return { cpuSeconds: user + system, commands };
}

/** Whether a Redis answers at the URL; benchmarks that need one are skipped without. */
export function redisAnswers(url = BENCH_REDIS_URL): Promise<boolean> {
  return answers(url);
}

/**
 * Bytes Redis holds for the prefix (MEMORY USAGE of every key), by kind of key: a conversation's
 * keys (`<prefix>:{<shop>:<phone>}:conversation`, `:seen:<wamid>`...) by the part after the tag,
 * the others by their first three parts (`<shop>:{calendar}:appointments`, `ready`).
 */
export async function memoryByKind(
  redis: Redis,
  prefix: string,
): Promise<Record<string, { keys: number; bytes: number }>> {
  const keys = await keysUnder(redis, prefix);
  const kinds: Record<string, { keys: number; bytes: number }> = {};
  for (let at = 0; at < keys.length; at += 500) {
    const batch = keys.slice(at, at + 500);
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.memory('USAGE', key);
    const answers = (await pipeline.exec()) ?? [];
    batch.forEach((key, i) => {
      const rest = key.slice(prefix.length + 1);
      const kind = rest.startsWith('{')
        ? `phone:${rest.slice(rest.indexOf('}') + 2).split(':')[0] || '(itself)'}`
        : rest.split(':').slice(0, 3).join(':');
      kinds[kind] ??= { keys: 0, bytes: 0 };
      kinds[kind].keys += 1;
      kinds[kind].bytes += Number(answers[i]?.[1] ?? 0);
    });
  }
  return kinds;
}
