import calculateSlot from 'cluster-key-slot';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { Script } from './script.ts';

/** One Redis, or a Redis Cluster: every adapter here works on either. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: `REDIS_URL`, or `REDIS_CLUSTER_NODES` (`host:port,host:port,…`, any of the cluster's nodes). */
export type RedisTarget = { url: string } | { clusterNodes: string };

/** How long a write waits for a replica to have it before it counts as not safely stored. */
export const REPLICA_WAIT_MS = 1_000;
/** How long the replica count of a single Redis is trusted before it is asked again. */
const ROLE_TTL_MS = 10_000;

/** `host:port,host:port` as the Cluster client's start-up nodes. */
export function clusterNodes(list: string): { host: string; port: number }[] {
  return list
    .split(',')
    .map((node) => node.trim())
    .filter(Boolean)
    .map((node) => {
      const at = node.lastIndexOf(':');
      const port = Number(node.slice(at + 1));
      if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65_535) {
        throw new Error(`REDIS_CLUSTER_NODES: "${node}" is not host:port (e.g. 10.0.0.5:6379)`);
      }
      return { host: node.slice(0, at), port };
    });
}

/**
 * A connection to one Redis, or a Cluster client for a Redis Cluster, with the same options.
 *
 * On a cluster: reads go to the masters (`scaleReads: 'master'`, the default), since a claim or a
 * hold must see the write just made, and a replica may lag; commands to one node are still
 * auto-pipelined (ioredis groups them by node). cita builds its own key names with the prefix, so
 * ioredis' `keyPrefix`, which scripts would not see, is never used.
 */
export function connectRedis(target: RedisTarget, options: RedisOptions): RedisClient {
  if ('url' in target) return new Redis(target.url, options);
  const { retryStrategy, enableAutoPipelining, enableOfflineQueue, ...perNode } = options;
  const clusterOptions: ClusterOptions = {
    scaleReads: 'master',
    enableAutoPipelining,
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy ? (attempt) => retryStrategy(attempt) : undefined,
    // A master that died is replaced by its replica within the cluster's node timeout: commands
    // for its slots wait for the new topology instead of failing at once.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    redisOptions: perNode,
  };
  return new Cluster(clusterNodes(target.clusterNodes), clusterOptions);
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** The connections to every master: what a SCAN must go through on a cluster (each node has its own keys). */
export async function masters(client: RedisClient): Promise<Redis[]> {
  if (!isCluster(client)) return [client];
  // The node list fills once the client has the cluster's slots: a first command waits for them.
  await client.ping();
  return client.nodes('master');
}

/**
 * Runs `first` then `second` so that Redis sees them in that order. On one Redis the auto-pipeline
 * already sends them in one write, in order; on a cluster they may go to two nodes over two
 * sockets, so the second waits for the first's answer.
 */
export async function inOrder<A, B>(client: RedisClient, first: () => Promise<A>, second: () => Promise<B>) {
  if (!isCluster(client)) return Promise.all([first(), second()]);
  const a = await first();
  return [a, await second()] as const;
}

/** A write that a replica did not confirm in time: it may be lost if its master dies now. */
export class NotReplicated extends Error {}

const knownReplicas = new WeakMap<Redis, { count: number; at: number }>();

/**
 * How many replicas the node holding `key` has, as that master says (`ROLE`: the replicas connected
 * to it, whether or not they have caught up), asked again every 10 s. After a failover the key's
 * slot is served by another node, asked afresh. (CLUSTER SLOTS is no guide: it leaves out a
 * replica that has not yet reported an offset.)
 */
export async function replicasOf(client: RedisClient, key: string): Promise<number> {
  const node = isCluster(client) ? await masterOf(client, key) : client;
  if (!node) return 0;
  const known = knownReplicas.get(node);
  if (known && Date.now() - known.at < ROLE_TTL_MS) return known.count;
  const role = (await node.call('ROLE')) as [string, unknown, unknown[]?];
  const count = role[0] === 'master' ? (role[2]?.length ?? 0) : 0;
  knownReplicas.set(node, { count, at: Date.now() });
  return count;
}

/** The connection to the master serving `key`'s slot, from the slot table ioredis keeps. */
async function masterOf(cluster: Cluster, key: string): Promise<Redis | undefined> {
  // The slot table fills once the client has connected: a first command waits for it.
  if (cluster.slots.length === 0) await cluster.ping();
  const [master] = cluster.slots[calculateSlot(key)] ?? [];
  return cluster.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === master);
}

/**
 * Runs `script` on `keys` (all in one slot) and, when their node has replicas, waits (`WAIT 1`)
 * until one has the write before answering: replication is asynchronous, so a master that dies
 * right after answering would otherwise take an acknowledged write with it. With replicas, sent
 * as one pipeline (EVALSHA, or EVAL with the body where the node does not know the script yet),
 * so the WAIT goes over the connection that wrote; without, as the script's EVALSHA,
 * auto-pipelined with whatever else goes out in the same tick. Throws
 * NotReplicated when no replica confirms within REPLICA_WAIT_MS (the write is on the master; the
 * caller treats it as not done).
 */
export async function evalReplicated(
  client: RedisClient,
  script: Script,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  const replicas = await replicasOf(client, keys[0]!);
  if (replicas === 0) return script(keys, args);
  const written = (withBody: boolean) =>
    (withBody
      ? client.pipeline().eval(script.lua, keys.length, ...keys, ...args)
      : client.pipeline().evalsha(script.sha, keys.length, ...keys, ...args)
    )
      .call('WAIT', 1, REPLICA_WAIT_MS)
      .exec();
  let results = (await written(false)) ?? [];
  if (String(results[0]?.[0]?.message).startsWith('NOSCRIPT')) results = (await written(true)) ?? [];
  for (const [error] of results) if (error) throw error;
  if (Number(results[1]?.[1]) < 1) {
    throw new NotReplicated(`no replica confirmed the write within ${REPLICA_WAIT_MS} ms`);
  }
  return results[0]?.[1];
}
