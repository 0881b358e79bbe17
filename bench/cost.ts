import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisConversationStore } from '../adapters/redis/conversations.ts';
import { loadShopConfig } from '../config/load.ts';
import type { ShopConfig } from '../config/schema.ts';
import type { StoredConversation } from '../src/engine/ports.ts';
import { runEndToEnd } from './end-to-end.ts';
import { cpuBreakdown } from './support/cpu-profile.ts';
import { chat, inProcessCita } from './support/in-process.ts';
import type { BenchResult } from './support/record.ts';
import { BENCH_REDIS_URL, benchPrefix, cleanPrefix, connectRedis, infoNumber } from './support/redis.ts';
import { BENCH_SHOP_CONFIG } from './support/server.ts';
import { round } from './support/stats.ts';

export interface CostOptions {
  /** Idle conversations written to Redis per state measured. */
  idleConversations: number;
  /** Customers of the profiled end-to-end run. */
  profiledCustomers: number;
  redisUrl?: string;
}

/**
 * What one message and one conversation cost: stored bytes per state of a real conversation,
 * Redis memory for many idle ones (INFO used_memory before and after writing them through the
 * conversation store), and where a server's CPU goes (a V8 CPU profile of a server process during
 * an end-to-end run, summed by package and folder).
 */
export async function costBenchmark(options: CostOptions, command: string): Promise<BenchResult> {
  const redisUrl = options.redisUrl ?? BENCH_REDIS_URL;
  const stored = await conversationsByState(loadShopConfig());
  // The benchmark's shop is open 24 hours at five-minute steps: the longest slot lists there are.
  const longDays = await conversationsByState(loadShopConfig(BENCH_SHOP_CONFIG));
  const largest = (byState: typeof stored) =>
    Object.entries(byState).reduce(
      (top, [state, { snapshotBytes }]) => (snapshotBytes > top.bytes ? { state, bytes: snapshotBytes } : top),
      { state: '', bytes: 0 },
    );
  const memory: Record<string, number> = {};
  for (const state of ['choosingSlot', 'booked']) {
    memory[state] = await redisBytesFor(stored[state].conversation, options.idleConversations, redisUrl);
  }
  const profileDir = mkdtempSync(join(tmpdir(), 'cita-bench-profile-'));
  const [run] = await runEndToEnd({
    customers: options.profiledCustomers,
    concurrency: Math.min(50, options.profiledCustomers),
    runs: [{ store: 'redis', graphLatencyMs: 0 }],
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    redisUrl,
  });
  const cpu = cpuBreakdown(profileDir);
  const per10k = (bytes: number) => round(((bytes / options.idleConversations) * 10_000) / 2 ** 20);
  const leftPerCustomer = Object.values(run.redisBytesPerCustomer).reduce((sum, bytes) => sum + bytes, 0);
  return {
    name: 'cost',
    title: 'Cost per message and per conversation',
    command,
    method:
      'Stored conversation = the JSON the conversation store keeps per phone (snapshot, last message id, replies), taken ' +
      'after each step of a button-driven booking in this process (config/barbershop.json). Redis memory = INFO used_memory ' +
      `after minus before writing ${options.idleConversations} such conversations through RedisConversationStore, scaled to 10,000. ` +
      `CPU = a --cpu-prof profile of one server process while ${options.profiledCustomers} customers book end to end, ` +
      'self time summed by package/folder (idle excluded); /proc CPU per message of that run includes the profiler.',
    parameters: { idleConversations: options.idleConversations, profiledCustomers: options.profiledCustomers },
    figures: [
      {
        label: 'stored conversation, looking at times / booked (snapshot alone)',
        value: `${stored.choosingSlot.bytes} / ${stored.booked.bytes} (${stored.choosingSlot.snapshotBytes} / ${stored.booked.snapshotBytes})`,
        unit: 'bytes',
      },
      {
        label: 'snapshot, largest in any state: the shop / a 24-hour shop at 5-minute steps',
        value: `${largest(stored).bytes} (${largest(stored).state}) / ${largest(longDays).bytes} (${largest(longDays).state})`,
        unit: 'bytes',
      },
      {
        label: 'Redis memory per 10,000 idle conversations, looking at times / booked',
        value: `${per10k(memory.choosingSlot)} / ${per10k(memory.booked)}`,
        unit: 'MiB',
      },
      {
        label: 'Redis memory left per booked customer (all keys, incl. 7-day dedup)',
        value: round(leftPerCustomer),
        unit: 'bytes',
      },
      { label: 'server CPU per message (profiled run)', value: run.serverCpuMsPerMessage ?? 'n/a', unit: 'ms' },
      ...cpu.byArea
        .slice(0, 4)
        .map((area) => ({ label: `CPU share: ${area.area}`, value: `${round(area.share * 100, 2)}%` })),
    ],
    details: {
      storedByState: Object.fromEntries(
        Object.entries(stored).map(([state, { bytes, snapshotBytes }]) => [state, { bytes, snapshotBytes }]),
      ),
      storedByStateOf24HourShop: Object.fromEntries(
        Object.entries(longDays).map(([state, { bytes, snapshotBytes }]) => [state, { bytes, snapshotBytes }]),
      ),
      redisBytesPerIdleConversation: Object.fromEntries(
        Object.entries(memory).map(([state, bytes]) => [state, round(bytes / options.idleConversations)]),
      ),
      profiledRun: {
        messages: run.messages,
        messagesPerSecond: run.messagesPerSecond,
        serverCpuMsPerMessage: run.serverCpuMsPerMessage,
        redisCpuMsPerMessage: run.redisCpuMsPerMessage,
        redisCommandsPerMessage: run.redisCommandsPerMessage,
        redisBytesPerCustomer: run.redisBytesPerCustomer,
        conversationBytes: run.conversationBytes,
        snapshotBytes: run.snapshotBytes,
      },
      cpu,
    },
  };
}

/** A button-driven booking in this process; the stored conversation after each step, by state. */
async function conversationsByState(shop: ShopConfig) {
  const cita = inProcessCita(shop);
  const customer = chat(cita, '34600000001');
  const byState: Record<string, { conversation: StoredConversation; bytes: number; snapshotBytes: number }> = {};
  const keep = async () => {
    const { conversation } = await cita.conversations.load('34600000001');
    if (!conversation) throw new Error('no conversation was saved');
    byState[String((conversation.snapshot as { value: unknown }).value)] = {
      conversation,
      bytes: Buffer.byteLength(JSON.stringify(conversation)),
      snapshotBytes: Buffer.byteLength(JSON.stringify(conversation.snapshot)),
    };
  };
  try {
    await customer.say('hola');
    await keep();
    for (const pick of ['SELECT_SERVICE:corte', 'PICK_DATE:', 'PICK_TIME:', 'CONFIRM']) {
      await customer.tap(customer.offered.find((id) => id.startsWith(pick))!);
      await keep();
    }
  } finally {
    await cita.stop();
  }
  for (const state of ['choosingSlot', 'booked']) {
    if (!byState[state]) throw new Error(`the scripted booking never rested in ${state}: ${Object.keys(byState)}`);
  }
  return byState;
}

/** used_memory after minus before writing `count` copies of the conversation under new phones. */
async function redisBytesFor(conversation: StoredConversation, count: number, redisUrl: string): Promise<number> {
  const redis = connectRedis(redisUrl);
  const prefix = benchPrefix('memory');
  const store = new RedisConversationStore(redis, { prefix });
  try {
    const before = await infoNumber(redis, 'memory', 'used_memory');
    for (let at = 0; at < count; at += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, count - at) }, (_, i) =>
          store.save(`349${String(at + i).padStart(8, '0')}`, conversation, 0),
        ),
      );
    }
    const after = await infoNumber(redis, 'memory', 'used_memory');
    return after - before;
  } finally {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  }
}
