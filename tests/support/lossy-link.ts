import { connect, createServer, type Socket } from 'node:net';

/** A TCP link to Redis that can lose or hold back a reply, as a dropped or stalled connection does. */
export interface LossyLink {
  /** Where clients connect (redis://127.0.0.1:port). */
  url: string;
  /**
   * The next command written with `marker` in it reaches Redis and runs; its reply never comes
   * back: the link is cut once Redis has answered. Resolves when it has been cut.
   */
  loseReplyTo(marker: string): Promise<void>;
  /**
   * The next command written with `marker` in it reaches Redis and runs; its reply, and every reply
   * after it, waits until `release()` (commands still go through). `answered` resolves once Redis
   * has answered it.
   */
  holdReplyTo(marker: string): { answered: Promise<void>; release(): void };
  close(): Promise<void>;
}

type Trigger = { marker: string; fire: (client: Socket, upstream: Socket) => void };

/** Starts a link to the Redis at `target` (redis://host:port) on a free local port. */
export async function startLossyLink(target: string): Promise<LossyLink> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const triggers: Trigger[] = [];
  /** What each client socket does with Redis's next bytes: pass them (undefined), or this. */
  const onReply = new Map<Socket, (chunk: Buffer) => void>();

  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    const cutBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => {
      upstream.write(chunk);
      for (const trigger of triggers.filter((t) => chunk.includes(t.marker))) {
        triggers.splice(triggers.indexOf(trigger), 1);
        trigger.fire(client, upstream);
      }
    });
    upstream.on('data', (chunk) => {
      const handle = onReply.get(client);
      if (handle) handle(chunk);
      else client.write(chunk);
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
        triggers.push({
          marker,
          fire: (client, upstream) =>
            onReply.set(client, () => {
              client.destroy();
              upstream.destroy();
              cut();
            }),
        });
      });
    },
    holdReplyTo(marker) {
      const held: Buffer[] = [];
      let target: Socket | undefined;
      let answered!: () => void;
      const answeredPromise = new Promise<void>((resolve) => {
        answered = resolve;
      });
      triggers.push({
        marker,
        fire: (client) => {
          target = client;
          onReply.set(client, (chunk) => {
            held.push(chunk);
            answered();
          });
        },
      });
      return {
        answered: answeredPromise,
        release() {
          if (!target) return;
          onReply.delete(target);
          for (const chunk of held.splice(0)) target.write(chunk);
        },
      };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
