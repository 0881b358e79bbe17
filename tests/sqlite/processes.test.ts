import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteCalendar } from '../../adapters/sqlite/calendar.ts';
import { SqliteConversationStore } from '../../adapters/sqlite/conversations.ts';
import { DATABASE_FILE, openDatabase } from '../../adapters/sqlite/database.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { tempDataDir } from '../support/cita.ts';
import { startServerProcess } from '../support/server-process.ts';

/**
 * Two real server processes (`node src/server/main.ts`, no Redis, the simulator channel) on one
 * data folder, as `npm start` and `npm run chat` side by side, or two servers on one machine.
 * Customers' messages land on either; whichever process's worker handles a message, its replies
 * come back to the one the customer wrote to.
 */

const NOW = '2026-11-24T09:00:00Z';
const DAY = { start: '2026-11-25T00:00:00.000Z', end: '2026-11-26T00:00:00.000Z' };

interface Server {
  child: ChildProcess;
  url: string;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function startServer(dataDir: string): Promise<Server> {
  const server = await startServerProcess({
    PORT: '0',
    CITA_NOW: NOW,
    CITA_DATA_DIR: dataDir,
    CITA_WORKERS: '3',
    LOG_LEVEL: 'info',
  });
  children.push(server.child);
  return server;
}

async function stopServer(server: Server): Promise<void> {
  server.child.kill('SIGTERM');
  if (server.child.exitCode === null) await once(server.child, 'exit');
}

/** One message to a server's simulator API; resolves with the replies (from whichever process handled it). */
async function send(server: Server, phone: string, replyId: string): Promise<OutboundMessage[]> {
  const response = await fetch(`${server.url}/simulator/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, replyId }),
  });
  expect(response.status, `${replyId} from ${phone}`).toBe(200);
  return ((await response.json()) as { replies: OutboundMessage[] }).replies;
}

/** What is in the data folder's database, read as a third process would. */
function readDatabase(dataDir: string) {
  const database = openDatabase(join(dataDir, DATABASE_FILE));
  const calendar = new SqliteCalendar(database);
  const conversations = new SqliteConversationStore(database);
  return {
    calendar,
    async stateOf(phone: string) {
      const { conversation } = await conversations.load(phone);
      return String((conversation?.snapshot as { value?: unknown } | undefined)?.value);
    },
    close: () => database.close(),
  };
}

const phone = (n: number) => `346000${String(n).padStart(5, '0')}`;
// 45 minutes apart: a 30-minute cut and the shop's 10-minute buffer.
const TIMES = ['10:00', '10:45', '11:30', '12:15', '13:00', '16:00'];

describe('two server processes on one data folder, without Redis', () => {
  it('loses no booking when customers book through both, gives a raced slot to one, and keeps everything, a conversation in progress included, across a restart of both', async () => {
    const dataDir = tempDataDir();
    let [one, two] = await Promise.all([startServer(dataDir), startServer(dataDir)]);
    const through = (n: number) => (n % 2 ? one : two);

    // Six customers at once, each message to the other process than the one before.
    await Promise.all(
      TIMES.map(async (time, i) => {
        const customer = phone(i);
        await send(through(i), customer, 'SELECT_SERVICE:corte');
        await send(through(i + 1), customer, 'PICK_DATE:2026-11-25');
        await send(through(i), customer, `PICK_TIME:${time}`);
        const booked = await send(through(i + 1), customer, 'CONFIRM');
        expect(booked.map((m) => m.body).join('\n')).toContain('¡Cita reservada!');
      }),
    );

    // Ten customers race for 17:00 through both processes: one holds it, the others hear it was taken.
    const racers = Array.from({ length: 10 }, (_, i) => phone(100 + i));
    for (const step of ['SELECT_SERVICE:corte', 'PICK_DATE:2026-11-25']) {
      await Promise.all(racers.map((customer, i) => send(through(i), customer, step)));
    }
    await Promise.all(racers.map((customer, i) => send(through(i + 1), customer, 'PICK_TIME:17:00')));
    const view = readDatabase(dataDir);
    const states = await Promise.all(racers.map((customer) => view.stateOf(customer)));
    expect(states.filter((state) => state === 'confirming')).toHaveLength(1);
    const winner = racers[states.indexOf('confirming')]!;
    await Promise.all(
      racers.filter((customer) => customer !== winner).map((customer, i) => send(through(i), customer, 'CONFIRM')),
    );

    // A customer halfway through (the 18:00 slot held, not yet confirmed) when both processes restart.
    const halfway = phone(200);
    await send(one, halfway, 'SELECT_SERVICE:corte');
    await send(two, halfway, 'PICK_DATE:2026-11-25');
    await send(one, halfway, 'PICK_TIME:18:00');
    expect(await view.stateOf(halfway)).toBe('confirming');
    view.close();

    await Promise.all([stopServer(one), stopServer(two)]);
    [one, two] = await Promise.all([startServer(dataDir), startServer(dataDir)]);

    // The winner of the race confirms after the restart, and so does the customer halfway through.
    const won = await send(two, winner, 'CONFIRM');
    expect(won.map((m) => m.body).join('\n')).toContain('¡Cita reservada!');
    const resumed = await send(one, halfway, 'CONFIRM');
    expect(resumed.map((m) => m.body).join('\n')).toContain('¡Cita reservada!');

    const after = readDatabase(dataDir);
    const booked = await after.calendar.busy(DAY);
    expect(booked.map((b) => b.start).sort()).toEqual(
      [...TIMES, '17:00', '18:00'].map((time) => new Date(`2026-11-25T${time}:00+01:00`).toISOString()).sort(),
    );
    for (const [i] of TIMES.entries()) {
      expect(await after.calendar.upcomingFor(phone(i), new Date(0)), phone(i)).toHaveLength(1);
      expect(await after.stateOf(phone(i))).toBe('booked');
    }
    expect(await after.calendar.upcomingFor(winner, new Date(0))).toHaveLength(1);
    after.close();
  }, 60_000);
});
