/** The key prefix when none is configured (`REDIS_PREFIX`). */
export const DEFAULT_PREFIX = 'cita';

/**
 * Key names. A phone's keys share the hash tag `{<phone>}`, so one Lua script may touch all of them
 * on Redis Cluster; keys shared by the whole shop carry their own tag.
 *
 * @example
 * redisKeys('cita').phone('34600000001', 'queue') // 'cita:{34600000001}:queue'
 */
export function redisKeys(prefix: string = DEFAULT_PREFIX) {
  return {
    phone: (phone: string, ...parts: string[]) => [`${prefix}:{${phone}}`, ...parts].join(':'),
    shop: (...parts: string[]) => [prefix, ...parts].join(':'),
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
