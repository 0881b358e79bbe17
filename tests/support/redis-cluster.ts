import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './net.ts';

const run = promisify(execFile);

/** How long a master may be silent before its replica takes over: short, so a failover fits in a test. */
export const NODE_TIMEOUT_MS = 1_000;

/** A Redis Cluster of three masters, each with a replica, on 127.0.0.1, in a temporary folder. */
export interface TestCluster {
  /** `host:port,…` of every node, as REDIS_CLUSTER_NODES takes it. */
  nodes: string;
  /** The port of the master serving `key` now. */
  masterOf(key: string): Promise<number>;
  /** The port of the replica of the master on `port`. */
  replicaOf(port: number): Promise<number>;
  /** Stops (SIGSTOP) or resumes (SIGCONT) the node on `port`: a replica that stops taking the master's writes. */
  pause(port: number, paused: boolean): void;
  /** SIGKILLs the node on `port` and waits until its replica has taken over its slots. */
  killMaster(port: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a local Redis Cluster: six `redis-server --cluster-enabled yes` on free ports, joined by
 * `redis-cli --cluster create … --cluster-replicas 1`, answered once every node reports the
 * cluster up and every master has its replica in sync. Without redis-server the cluster tests are
 * skipped, saying so, except in CI (`CI` set), where that is an error.
 *
 * @example
 * const cluster = await testCluster();
 * afterAll(() => cluster?.stop());
 */
export async function testCluster({
  nodeTimeoutMs = NODE_TIMEOUT_MS,
}: {
  /** `cluster-node-timeout`: how long a master may be silent before its replica takes over. */
  nodeTimeoutMs?: number;
} = {}): Promise<TestCluster | undefined> {
  if (!(await installed())) {
    const why = 'redis-server and redis-cli (Debian: redis-server, redis-tools) are needed for the Redis Cluster tests';
    if (process.env.CI) throw new Error(`${why}. CI must run them: .ci/run installs them.`);
    console.warn(`${why}; skipping them.`);
    return undefined;
  }
  // A port chosen free can be taken before its redis-server binds it (or its bus port, +10000, is in
  // use): that node exits at once, and the cluster is started again on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCluster(nodeTimeoutMs);
    } catch (error) {
      if (!(error instanceof NodeExited) || attempt === 3) throw error;
    }
  }
}

class NodeExited extends Error {}

/**
 * Resolves once the node on `port` answers; rejects with NodeExited if its process has ended. Asks
 * the process rather than waiting for its 'exit' event: the nodes are awaited one after another, and
 * a node that exited while an earlier one was starting has already emitted it.
 */
async function started(server: ChildProcess, port: number): Promise<void> {
  const exited = () => server.exitCode !== null || server.signalCode !== null;
  await until(async () => exited() || (await answers(port)), `node ${port} to start`);
  if (exited()) throw new NodeExited(`redis-server on ${port} exited at start (port or bus port taken)`);
}

async function startCluster(nodeTimeoutMs: number): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'cita-cluster-'));
  const ports = await distinctFreePorts(6);
  const servers = new Map<number, ChildProcess>();
  const stop = async () => {
    await Promise.all(
      [...servers.values()].map(async (server) => {
        if (server.exitCode !== null || server.signalCode !== null) return;
        server.kill('SIGKILL');
        await once(server, 'exit');
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => {
    for (const server of servers.values()) server.kill('SIGKILL');
  });
  try {
    for (const port of ports) {
      const server = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          String(nodeTimeoutMs),
          // A replica's first sync starts at once, not after the 5 s Redis waits for others to join it.
          '--repl-diskless-sync-delay',
          '0',
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: 'ignore' },
      );
      servers.set(port, server);
    }
    for (const port of ports) await started(servers.get(port)!, port);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    await until(() => healthy(ports), 'the cluster to be up with every replica in sync');
  } catch (error) {
    await stop();
    throw error;
  }
  let alive = [...ports];
  return {
    nodes: ports.map((port) => `127.0.0.1:${port}`).join(','),
    async masterOf(key) {
      return withNode(alive[0]!, async (redis) => {
        const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', key));
        const shards = (await redis.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        const owner = shards.find(([from, to]) => from <= slot && slot <= to);
        if (!owner) throw new Error(`no node serves slot ${slot}`);
        return Number(owner[2][1]);
      });
    },
    async replicaOf(port) {
      return withNode(port, async (redis) => {
        const found = /slave0:ip=[^,]+,port=(\d+)/.exec(await redis.info('replication'));
        if (!found) throw new Error(`the master on ${port} has no replica`);
        return Number(found[1]);
      });
    },
    pause(port, paused) {
      servers.get(port)?.kill(paused ? 'SIGSTOP' : 'SIGCONT');
    },
    async killMaster(port) {
      const server = servers.get(port);
      if (!server) throw new Error(`no node on ${port}`);
      server.kill('SIGKILL');
      await once(server, 'exit');
      alive = alive.filter((p) => p !== port);
      // Up again once every node that is left serves all slots without the dead one.
      await until(async () => {
        const views = await Promise.all(
          alive.map((p) =>
            withNode(p, async (redis) => ({
              info: String(await redis.call('CLUSTER', 'INFO')),
              slots: (await redis.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][],
            })),
          ),
        );
        return views.every(
          ({ info, slots }) =>
            info.includes('cluster_state:ok') && slots.every(([, , master]) => Number(master[1]) !== port),
        );
      }, `a replica to take over from ${port}`);
    },
    stop,
  };
}

async function installed(): Promise<boolean> {
  try {
    await run('redis-server', ['--version']);
    await run('redis-cli', ['--version']);
    return true;
  } catch {
    return false;
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  // The cluster bus listens on port + 10000: both must be free.
  while (ports.size < count) {
    const port = await freePort();
    if (port < 55_000) ports.add(port);
  }
  return [...ports];
}

async function withNode<T>(port: number, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

function answers(port: number): Promise<boolean> {
  return withNode(port, async (redis) => (await redis.ping()) === 'PONG').catch(() => false);
}

/** Every node sees the cluster up, and every master has a replica that is in sync. */
async function healthy(ports: number[]): Promise<boolean> {
  const reports = await Promise.all(
    ports.map((port) =>
      withNode(port, async (redis) => ({
        cluster: String(await redis.call('CLUSTER', 'INFO')),
        replication: await redis.info('replication'),
      })).catch(() => undefined),
    ),
  );
  if (reports.some((report) => !report?.cluster.includes('cluster_state:ok'))) return false;
  const masters = reports.filter((report) => report!.replication.includes('role:master'));
  return (
    masters.length === 3 &&
    masters.every(
      (report) => /connected_slaves:1/.test(report!.replication) && /state=online/.test(report!.replication),
    )
  );
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
}
