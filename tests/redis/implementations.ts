import { afterAll } from 'vitest';
import { connectRedis, type RedisClient, type RedisTarget } from '../../adapters/redis/client.ts';
import { SHARED_CONNECTION } from '../../adapters/redis/index.ts';
import { CLUSTER_SHARDS } from '../../adapters/redis/keys.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';
import { type TestCluster, testCluster } from '../support/redis-cluster.ts';

/** One implementation of a port under test: `make` builds a fresh one, isolated from the others. */
export interface Implementation<T> {
  name: string;
  make: () => T;
}

export interface RedisRun {
  /** 'redis' (one Redis) or 'redis cluster'. */
  name: string;
  /** Where it is, as REDIS_URL or REDIS_CLUSTER_NODES say it: for a process of its own. */
  target: RedisTarget;
  /** Parts of what a shop shares, as `createRedisAdapters` splits it there. */
  shards: number;
  redis: {
    /** A new connection; closed after the file. */
    connect(): RedisClient;
  };
  /** A connection shared by the file's tests. */
  connection(): RedisClient;
  /** A prefix of its own for one test; its keys are deleted after the file. */
  prefix(): string;
  /** The cluster itself (to kill a master), on the cluster run. */
  cluster?: TestCluster;
}

/** A run on one Redis, at a URL. */
export type SingleRedisRun = RedisRun & { redis: { url: string } };

/**
 * The Redis this test file runs against (undefined, with a warning, only outside CI), with
 * connections and key prefixes cleaned up after the file.
 */
export async function redisRun(): Promise<SingleRedisRun | undefined> {
  const redis = await testRedis();
  if (!redis) return undefined;
  const prefixes: string[] = [];
  afterAll(async () => {
    await Promise.all(prefixes.map((prefix) => redis.clean(prefix)));
    await redis.stop();
  });
  const single = run('redis', { url: redis.url }, 1, () => redis.connect(), redis, prefixes);
  return { ...single, redis: { ...single.redis, url: redis.url } };
}

/**
 * A local Redis Cluster (three masters, each with a replica) started for this test file and
 * stopped after it (undefined, with a warning, only outside CI).
 */
export async function clusterRun(): Promise<RedisRun | undefined> {
  const cluster = await testCluster();
  if (!cluster) return undefined;
  const connections: RedisClient[] = [];
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    await cluster.stop();
  });
  const target = { clusterNodes: cluster.nodes };
  const connect = () => {
    const client = connectRedis(target, SHARED_CONNECTION);
    connections.push(client);
    return client;
  };
  return { ...run('redis cluster', target, CLUSTER_SHARDS, connect), cluster };
}

/** One Redis and a Redis Cluster: what the suites that must hold on both run over. */
export async function redisRuns(): Promise<RedisRun[]> {
  const runs = await Promise.all([redisRun(), clusterRun()]);
  return runs.filter((r): r is RedisRun => r !== undefined);
}

function run(
  name: string,
  target: RedisTarget,
  shards: number,
  connect: () => RedisClient,
  redis?: TestRedis,
  prefixes: string[] = [],
): RedisRun {
  let shared: RedisClient | undefined;
  return {
    name,
    target,
    shards,
    redis: { connect },
    connection() {
      shared ??= connect();
      return shared;
    },
    prefix() {
      const prefix = redis?.prefix() ?? `cita-test-${Math.random().toString(36).slice(2, 10)}`;
      prefixes.push(prefix);
      return prefix;
    },
  };
}

/**
 * The embedded implementation (SQLite; `memoryDatabase()` gives each its own database) and the
 * Redis ones (one Redis, a cluster) there are.
 */
export function implementations<T>(
  sqlite: () => T,
  onRedis: ((run: RedisRun) => T) | undefined,
  runs: RedisRun | RedisRun[] | undefined,
) {
  const list: Implementation<T>[] = [{ name: 'sqlite', make: sqlite }];
  for (const run of [runs ?? []].flat()) if (onRedis) list.push({ name: run.name, make: () => onRedis(run) });
  return list;
}

/** Where a run's Redis is, as a process of its own is told: the URL, or the cluster's nodes. */
export function addressOf(run: RedisRun): string {
  return 'url' in run.target ? run.target.url : run.target.clusterNodes;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
