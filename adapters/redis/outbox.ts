import type { Redis } from 'ioredis';
import type { DeliveryProgress } from '../whatsapp/delivery-progress.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';

/** How long a turn's progress is kept: far longer than any retry or lease takeover takes. */
export const PROGRESS_TTL_MS = 48 * 60 * 60_000;

/**
 * The delivery record on Redis, so a turn taken over by another process (a crash, a shutdown)
 * also resumes where the first one stopped. Small keys under the phone's hash tag: per turn, how
 * many replies WhatsApp took and how many were started; per message, the wamid its status gave.
 */
export class RedisDeliveryProgress implements DeliveryProgress {
  readonly #redis: Redis;
  readonly #keys;

  constructor(redis: Redis, { prefix = DEFAULT_PREFIX }: { prefix?: string } = {}) {
    this.#redis = redis;
    this.#keys = redisKeys(prefix);
  }

  async resume(phone: string, inReplyTo: string) {
    const [delivered, started] = await this.#redis.mget(
      this.#keys.phone(phone, 'sent', inReplyTo),
      this.#keys.phone(phone, 'started', inReplyTo),
    );
    return { delivered: count(delivered), started: count(started) };
  }

  async start(phone: string, inReplyTo: string, started: number): Promise<void> {
    await this.#redis.set(this.#keys.phone(phone, 'started', inReplyTo), started, 'PX', PROGRESS_TTL_MS);
  }

  async record(phone: string, inReplyTo: string, delivered: number): Promise<void> {
    await this.#redis.set(this.#keys.phone(phone, 'sent', inReplyTo), delivered, 'PX', PROGRESS_TTL_MS);
  }

  async confirm(phone: string, outboxId: string, wamid: string): Promise<void> {
    await this.#redis.set(this.#keys.phone(phone, 'confirmed', outboxId), wamid, 'PX', PROGRESS_TTL_MS, 'NX');
  }

  async confirmation(phone: string, outboxId: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#keys.phone(phone, 'confirmed', outboxId))) ?? undefined;
  }
}

function count(stored: string | null): number {
  const n = Number(stored);
  return Number.isInteger(n) && n > 0 ? n : 0;
}
