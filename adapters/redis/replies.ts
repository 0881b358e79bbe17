import { z } from 'zod';
import type { ReplyBus } from '../../src/engine/ports.ts';
import { log } from '../../src/log.ts';
import { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { SimulatorMessenger } from '../simulator/messenger.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';

const Published = z.object({ messageId: z.string(), replies: z.array(OutboundMessage) });

/**
 * Replies to simulator messages across processes: the worker that handled a message may run in
 * another process than the simulator page waiting for it, so replies are published on one Redis
 * channel and every process hands them to its own waiting callers.
 */
export class RedisReplyBus implements ReplyBus {
  readonly #publisher: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #channel: string;
  readonly #local = new SimulatorMessenger();
  #ready: Promise<unknown>;

  constructor(redis: RedisClient, { prefix = DEFAULT_PREFIX }: { prefix?: string } = {}) {
    this.#publisher = redis;
    this.#subscriber = redis.duplicate();
    this.#channel = redisKeys(prefix).shop('simulator-replies');
    this.#subscriber.on('message', (_channel: string, payload: string) => {
      let json: unknown;
      try {
        json = JSON.parse(payload);
      } catch {
        json = undefined;
      }
      const parsed = Published.safeParse(json);
      if (!parsed.success) return log.warn({ event: 'replies.unreadable' }, 'unreadable simulator replies');
      void this.#local.deliver(parsed.data.messageId, parsed.data.replies);
    });
    this.#subscriber.on('error', (error) => log.warn({ event: 'replies.connection_error', error: String(error) }));
    this.#ready = this.#subscribe();
  }

  /** ioredis subscribes again after a reconnect, but only to channels it once subscribed to. */
  #subscribe(): Promise<unknown> {
    return this.#subscriber.subscribe(this.#channel).catch((error) => {
      log.warn({ event: 'replies.subscribe_failed', error: String(error) }, 'will subscribe when Redis is back');
      this.#subscriber.once('ready', () => {
        this.#ready = this.#subscribe();
      });
    });
  }

  async deliver(messageId: string, replies: Parameters<ReplyBus['deliver']>[1]): Promise<void> {
    await this.#publisher.publish(this.#channel, JSON.stringify({ messageId, replies }));
  }

  async repliesTo(messageId: string, timeoutMs?: number) {
    return this.#local.repliesTo(messageId, timeoutMs);
  }

  /** Resolves once this process hears published replies: await it before sending a message. */
  ready(): Promise<unknown> {
    return this.#ready;
  }

  async close(): Promise<void> {
    await this.#subscriber.quit().catch(() => this.#subscriber.disconnect());
  }
}
