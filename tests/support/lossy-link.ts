import { connect, createServer, type Socket } from 'node:net';

/** A TCP link to Redis that can lose one reply, as a connection dropped mid-command does. */
export interface LossyLink {
  /** Where clients connect (redis://127.0.0.1:port). */
  url: string;
  /**
   * The next command written with `marker` in it reaches Redis and runs; its reply never comes
   * back: the link is cut once Redis has answered. Resolves when it has been cut.
   */
  loseReplyTo(marker: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts a link to the Redis at `target` (redis://host:port) on a free local port. */
export async function startLossyLink(target: string): Promise<LossyLink> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let armed: { marker: string; cut: () => void } | undefined;

  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let swallowing: (() => void) | undefined;
    const cutBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => {
      if (armed && chunk.includes(armed.marker)) {
        swallowing = armed.cut;
        armed = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!swallowing) return void client.write(chunk);
      cutBoth();
      swallowing();
    });
    for (const socket of [client, upstream]) {
      socket.on('error', cutBoth);
      socket.on('close', () => {
        sockets.delete(socket);
        cutBoth();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the lossy link has no port');

  return {
    url: `redis://127.0.0.1:${address.port}`,
    loseReplyTo(marker) {
      return new Promise((cut) => {
        armed = { marker, cut };
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
