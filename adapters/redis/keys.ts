/** The key prefix when none is configured (`REDIS_PREFIX`). */
export const DEFAULT_PREFIX = 'cita';

/**
 * Into how many parts what a shop shares and scans (the inbox's ready index, the reminder
 * schedule) is split on a Redis Cluster: each part has its own hash tag, so the parts spread over
 * the masters and one busy shop does not sit on one node. The loops that read them read every
 * part. On one Redis there is one part, under the names it always had.
 */
export const CLUSTER_SHARDS = 16;

/**
 * Key names: the only place they are built. A conversation's keys share the hash tag of the
 * conversation (`{<shop>:<phone>}`), so one Lua script may touch all of them on Redis Cluster; what
 * the shop shares starts with `<prefix>:<shop>:` and either carries a tag of its own (one slot: the
 * calendar, the holds) or is split in `shards` parts by the conversation or booking it is about
 * (`sharded`, `shardOf`). Without `shop`, the keys of the whole deployment: the inbox's, which
 * serves every shop and names a conversation by its customer id (`customerId(shop, phone)`).
 *
 * @example
 * redisKeys('cita', 1, 'el-bigote').phone('34600000001', 'queue') // 'cita:{el-bigote:34600000001}:queue'
 * redisKeys('cita', 1, 'el-bigote').slot('calendar', 'appointments') // 'cita:el-bigote:{calendar}:appointments'
 * redisKeys('cita', 16).sharded('ready', 3) // 'cita:{ready:3}'
 */
export function redisKeys(prefix: string = DEFAULT_PREFIX, shards = 1, shop?: string) {
  const scope = shop === undefined ? [prefix] : [prefix, shop];
  const tagged = (tag: string) => (shop === undefined ? tag : `${shop}:${tag}`);
  return {
    /** A conversation's key: everything under its tag is one slot. */
    phone: (phone: string, ...parts: string[]) => [`${prefix}:{${tagged(phone)}}`, ...parts].join(':'),
    /** The conversation a key of `phone(…)` belongs to (what is between its braces). */
    phoneOf: (key: string) => key.slice(key.indexOf('{') + 1, key.indexOf('}')),
    /** A SCAN pattern matching `phone(<any>, …parts)`. */
    everyPhone: (...parts: string[]) => [`${escapeGlob(prefix)}:{*}`, ...parts].join(':'),
    /** A shop-wide key outside any tag (a pub/sub channel, a single-key value). */
    shop: (...parts: string[]) => [...scope, ...parts].join(':'),
    /** A shop-wide key under the tag `name`: every key of one `name` is one slot (a shop's calendar, its holds). */
    slot: (name: string, ...parts: string[]) => [...scope, `{${name}}`, ...parts].join(':'),
    shards,
    /**
     * Part `shard` of a shared key `name` (e.g. 'ready', '{reminders}'). With one shard, the name
     * a single Redis always used; with more, a tag per part.
     */
    sharded: (name: string, shard: number, ...parts: string[]) =>
      shards === 1
        ? [...scope, name, ...parts].join(':')
        : [`${prefix}:{${tagged(name.replace(/[{}]/g, ''))}:${shard}}`, ...parts].join(':'),
    /** Which part a conversation (or a booking) falls in: the same for every process. */
    shardOf: (id: string) => (shards === 1 ? 0 : fnv1a(id) % shards),
  };
}

/** One customer of one shop: the same phone writing to two shops is two customers. */
export function customerId(shop: string, phone: string): string {
  return `${shop}:${phone}`;
}

export type RedisKeys = ReturnType<typeof redisKeys>;

function escapeGlob(text: string) {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** A small, stable string hash (32-bit FNV-1a). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
