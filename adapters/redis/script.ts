import type { Redis } from 'ioredis';

/** A Lua script on the server, called with its keys and arguments. */
export type Script = (keys: string[], args: (string | number)[]) => Promise<unknown>;

/**
 * Registers a Lua script with `defineCommand` (sent as EVALSHA, falling back to EVAL once per
 * connection) and returns a typed caller. The number of keys is passed on each call, so scripts
 * over a variable set of keys (a hold's cells) fit the same shape.
 */
export function defineScript(redis: Redis, name: string, lua: string): Script {
  redis.defineCommand(name, { lua });
  const command = (redis as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>)[name];
  return function runScript(keys, args) {
    return command.call(redis, keys.length, ...keys, ...args);
  };
}
