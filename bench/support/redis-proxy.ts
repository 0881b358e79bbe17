import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP relay in front of Redis that counts round trips: each burst of bytes a client writes
 * before it reads an answer is one trip on the network (a pipeline or a MULTI is one trip, ten
 * GETs awaited one after another are ten). Bursts are counted as the relay reads them, so two
 * commands written in the same tick count once, as they would cross the network once.
 *
 * @example
 * const proxy = await startRedisProxy('redis://127.0.0.1:6379');
 * // point the server at proxy.url, run, then read proxy.roundTrips
 */
export async function startRedisProxy(redisUrl: string) {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  let roundTrips = 0;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', () => {
      roundTrips += 1;
    });
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const auth = target.username || target.password ? `${target.username}:${target.password}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}${target.pathname}`,
    get roundTrips(): number {
      return roundTrips;
    },
    close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
