import { z } from 'zod';
import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import { type ConversationStore, StoredConversation } from '../../src/engine/ports.ts';
import { log, phoneRef } from '../../src/log.ts';
import type { RedisClient } from './client.ts';
import type { ReadWithClaim } from './inbox.ts';
import { customerId, DEFAULT_PREFIX, redisKeys } from './keys.ts';
import { defineScript, type Script } from './script.ts';

/** A conversation nobody touched for this long is forgotten: the next message starts afresh. */
export const CONVERSATION_TTL_MS = 24 * 60 * 60_000;

/** Compare-and-set on the version: a writer that loaded an older version is refused, never overwrites. */
const SAVE = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', current + 1, 'conversation', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

const SAVED_FIELDS = ['conversation', 'version'] as const;
const Saved = z.tuple([z.string().nullable(), z.coerce.number().int().min(0).nullable()]);

export interface RedisConversationStoreOptions {
  prefix?: string;
  /** The shop whose data this is (default: the single-shop set-up's). */
  shop?: string;
  /** Quiet period after which a conversation expires. */
  ttlMs?: number;
  /**
   * What the inbox's claims read, by customer id: shared by the stores of every shop, since one
   * inbox claims for all of them.
   */
  claimReads?: Map<string, (string | null)[]>;
}

/** The conversation store on Redis: one hash per phone holding the snapshot and its version. */
export class RedisConversationStore implements ConversationStore {
  readonly #redis: RedisClient;
  readonly #keys;
  readonly #ttlMs: number;
  readonly #save: Script;
  readonly #readAtClaim: Map<string, (string | null)[]>;
  readonly #prefix: string;
  readonly #shop: string;

  constructor(redis: RedisClient, options: RedisConversationStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#shop = options.shop ?? DEFAULT_SHOP_ID;
    this.#keys = redisKeys(this.#prefix, 1, this.#shop);
    this.#readAtClaim = options.claimReads ?? new Map();
    this.#ttlMs = options.ttlMs ?? CONVERSATION_TTL_MS;
    this.#save = defineScript(redis, 'citaConversationSave', SAVE);
  }

  /**
   * Hands the inbox's claim the conversation's key to read in its own script: the load that
   * follows a claim then costs no trip. Only the first load after the claim takes what was read
   * (a later one, such as recording the question just sent, reads afresh), and a save still
   * compares versions, so a copy that went stale cannot overwrite anything.
   */
  readWithClaim(): ReadWithClaim {
    const keys = redisKeys(this.#prefix);
    return {
      key: (customer) => keys.phone(customer, 'conversation'),
      fields: SAVED_FIELDS,
      keep: (phone, values) => void this.#readAtClaim.set(phone, values),
      forget: (phone) => void this.#readAtClaim.delete(phone),
    };
  }

  async load(phone: string): Promise<{ conversation?: StoredConversation; version: number }> {
    const customer = customerId(this.#shop, phone);
    const atClaim = this.#readAtClaim.get(customer);
    this.#readAtClaim.delete(customer);
    const [json, version] = Saved.parse(atClaim ?? (await this.#redis.hmget(this.#key(phone), ...SAVED_FIELDS)));
    if (json === null || version === null) return { version: version ?? 0 };
    try {
      return { conversation: StoredConversation.parse(JSON.parse(json)), version };
    } catch (error) {
      // Unreadable data must not block the phone forever: start afresh, and the next save replaces it.
      log.warn({ event: 'conversation.unreadable', phoneRef: phoneRef(phone), error: String(error) });
      return { version };
    }
  }

  async save(phone: string, conversation: StoredConversation, version: number): Promise<boolean> {
    // Made by the engine from parsed parts: checked when read back, not again on the way in.
    const json = JSON.stringify(conversation);
    return (await this.#save([this.#key(phone)], [version, json, this.#ttlMs])) === 1;
  }

  #key(phone: string) {
    return this.#keys.phone(phone, 'conversation');
  }
}
