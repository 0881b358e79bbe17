import { createHash } from 'node:crypto';
import type { RedisClient } from './client.ts';

/** A Lua script on the server, called with its keys and arguments; `lua` is its body, `sha` its SHA-1. */
export type Script = ((keys: string[], args: (string | number)[]) => Promise<unknown>) & {
  readonly lua: string;
  readonly sha: string;
};

/**
 * A typed caller of a Lua script: sent as EVALSHA, and as EVAL with its body when the server does
 * not know it yet (NOSCRIPT: a new Redis, a restarted one, a cluster node that took over). The
 * number of keys is passed on each call, so scripts over a variable set of keys (a hold's cells)
 * fit the same shape. Plain EVALSHA rather than `defineCommand`: ioredis then knows which
 * arguments are keys, so on a cluster each call is routed (and auto-pipelined) with its keys' node.
 */
export function defineScript(redis: RedisClient, _name: string, lua: string): Script {
  const sha = createHash('sha1').update(lua).digest('hex');
  async function runScript(keys: string[], args: (string | number)[]) {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error | undefined)?.message).startsWith('NOSCRIPT')) throw error;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  }
  return Object.assign(runScript, { lua, sha });
}
