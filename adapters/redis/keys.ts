import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';

/** The key prefix when none is configured (`REDIS_PREFIX`). */
export const DEFAULT_PREFIX = 'cita';

/**
 * Key names of one shop. A customer's keys share the hash tag `{<shop>:<phone>}`, so one Lua
 * script may touch all of them on Redis Cluster; keys shared by the whole shop start with
 * `<prefix>:<shop>:` (their slots are the cluster's concern, see `deploymentKeys`).
 *
 * @example
 * redisKeys('cita', 'el-bigote').phone('34600000001', 'queue') // 'cita:{el-bigote:34600000001}:queue'
 * redisKeys('cita', 'el-bigote').shop('{calendar}', 'appointments') // 'cita:el-bigote:{calendar}:appointments'
 */
export function redisKeys(prefix: string = DEFAULT_PREFIX, shop: string = DEFAULT_SHOP_ID) {
  const deployment = deploymentKeys(prefix);
  return {
    phone: (phone: string, ...parts: string[]) => deployment.customer(customerId(shop, phone), ...parts),
    shop: (...parts: string[]) => [prefix, shop, ...parts].join(':'),
  };
}

/**
 * Keys of the whole deployment (every shop): the inbox's ready index and work channel, and the
 * customers' keys by customer id, for the inbox, which works for every shop at once.
 */
export function deploymentKeys(prefix: string = DEFAULT_PREFIX) {
  return {
    customer: (customer: string, ...parts: string[]) => [`${prefix}:{${customer}}`, ...parts].join(':'),
    deployment: (...parts: string[]) => [prefix, ...parts].join(':'),
  };
}

/** One customer of one shop: the same phone writing to two shops is two customers. */
export function customerId(shop: string, phone: string): string {
  return `${shop}:${phone}`;
}

/** The shop and phone of a customer id (phones are digits, so the last ":" splits them). */
export function splitCustomerId(customer: string): { shop: string; phone: string } {
  const at = customer.lastIndexOf(':');
  return { shop: customer.slice(0, at), phone: customer.slice(at + 1) };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
