import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { SimulatorMessenger } from '../adapters/simulator/messenger.ts';
import { createSqliteAdapters } from '../adapters/sqlite/index.ts';
import { Language, type ShopConfig } from '../config/schema.ts';
import { DEFAULT_SHOP_ID } from '../config/shop-id.ts';
import { isWatchable, RENEW_CHECK_MS, renewChannels, webhookAddress } from './calendar-sync/channels.ts';
import { calendarSync, type SyncRound, startCalendarPolling } from './calendar-sync/sync.ts';
import { trackedCalendar } from './calendar-sync/tracked-calendar.ts';
import type { RefusalReason } from './engine/apply-reading.ts';
import { rateCountedAtArrival } from './engine/arrival-rate.ts';
import { ConversationEngine, type EngineDependencies } from './engine/conversation.ts';
import {
  type BookingHistory,
  type Calendar,
  type CalendarChanges,
  type CalendarSyncStore,
  type Clock,
  type ConversationStore,
  type CustomerAliases,
  InboundMessage,
  type Inbox,
  isInternal,
  isSimulated,
  type MediaSource,
  type Messenger,
  type NoticeSettings,
  type OptOuts,
  type RateLimiter,
  type ReminderSchedule,
  type ReplyBus,
  SIMULATED_ID_PREFIX,
  type SlotHolds,
  type Transcriber,
  type Transcripts,
  type Waitlist,
} from './engine/ports.ts';
import { transcriptRecorder } from './engine/transcript.ts';
import { VoiceNotes } from './engine/voice-notes.ts';
import { startWorkers } from './engine/worker.ts';
import type { Interpreter } from './interpreter/port.ts';
import { ruleInterpreter } from './interpreter/rule-interpreter.ts';
import { log } from './log.ts';
import { COPY } from './messages/views.ts';
import type { OutboundMessage } from './messages/whatsapp.ts';
import { meteredHistory, meteredHolds } from './metrics/bookings.ts';
import { meteredCalendar } from './metrics/calendar.ts';
import { meteredInbox } from './metrics/inbox.ts';
import { loggedInterpreter } from './metrics/interpreter.ts';
import { CitaMetrics } from './metrics/registry.ts';
import { followUpVisits, startFollowUpLoop } from './outreach/follow-ups.ts';
import { sendDueReminders, startReminderLoop } from './reminders/sender.ts';
import { ShopRegistry } from './shops/registry.ts';
import type { Shop } from './shops/shop-file.ts';
import { staffNotices } from './staff/notices.ts';
import { undeliveredReporter } from './staff/undelivered.ts';
import { offerFreedTime, startWaitlistLoop } from './waitlist/offers.ts';

/** The metric's label for each reason an event read from a message was not applied. */
const REFUSAL_LABELS: Record<RefusalReason, string> = {
  notAccepted: 'not_accepted',
  confirmNotAsked: 'confirm_not_asked',
  notTheirYes: 'not_their_yes',
};

export interface CitaOptions {
  /** The one shop, when `shops` is not given (tests). */
  shop?: ShopConfig;
  /** The shops served (SHOPS_DIR, or the single SHOP_CONFIG); each message names its own. */
  shops?: ShopRegistry;
  /**
   * A shop's own ports (its stores keyed by it, its calendar, its WhatsApp number); what it leaves
   * out comes from `adapters` or the embedded database.
   */
  storesFor?: (shop: Shop) => Partial<ShopPorts>;
  clock?: Clock;
  /** Where the embedded database (`cita.db`) is kept, for every adapter not given in `adapters`. */
  dataDir: string;
  workers?: number;
  /** Replace any embedded adapter (tests, and the real adapters as they are switched on). */
  adapters?: Partial<{
    inbox: Inbox;
    conversations: ConversationStore;
    holds: SlotHolds;
    calendar: Calendar;
    history: BookingHistory;
    interpreter: Interpreter;
    /** Where replies to channel messages go (WhatsApp); replies to `converse` go back through `replies`. */
    messenger: Messenger;
    rateLimiter: RateLimiter;
    /** Where voice notes are fetched from (WhatsApp's media endpoints). */
    media: MediaSource;
    /** Speech to text for voice notes; without it they get "please write it". */
    transcriber: Transcriber;
    reminders: ReminderSchedule;
    /** Which staff phones muted their notices. */
    noticeSettings: NoticeSettings;
    /** Which customer each WhatsApp user id stands for (read by the webhook). */
    aliases: CustomerAliases;
    /** The shop's waitlists of full days. */
    waitlist: Waitlist;
    /** Customers who said "no más avisos". */
    optOuts: OptOuts;
    /** Carries simulator replies back to the waiting caller across processes (SQLite or Redis). */
    replies: ReplyBus & { ready?(): Promise<unknown> };
    /** Calendar sync positions, cita's own writes and push channels, shared by every process. */
    calendarSync: CalendarSyncStore;
    /** Each customer's conversation in messages, for the simulator page (none: not kept). */
    transcripts: Transcripts;
  }>;
  /**
   * Watching the calendar for the shop's own changes: a first read at start, then every
   * `pollSeconds` (0: only when asked), and, with `webhookUrl` and Google, told by push channels
   * posting there. Without it the calendar is read only when asked (`calendarSync`), as tests do.
   */
  calendarWatch?: { pollSeconds?: number; webhookUrl?: string };
  /** Called after the workers stop: closes what the adapters opened (the Redis connection). */
  onStop?: () => Promise<void>;
  /** Where this cita counts what it does (`GET /metrics`); default: a registry of its own. */
  metrics?: CitaMetrics;
  /** Sees every conversation's actor (the Stately inspector, the path tests' world). */
  inspect?: EngineDependencies['inspect'];
  /** How long `converse` waits for a turn's replies (TURN_TIMEOUT_MS); past it, NoReplyInTime. */
  turnTimeoutMs?: number;
}

/** A shop's own ports: its data (keyed by the shop), its calendar and its WhatsApp number. */
export type ShopPorts = Pick<
  NonNullable<CitaOptions['adapters']>,
  | 'conversations'
  | 'holds'
  | 'calendar'
  | 'history'
  | 'rateLimiter'
  | 'reminders'
  | 'noticeSettings'
  | 'messenger'
  | 'media'
  | 'aliases'
  | 'waitlist'
  | 'optOuts'
  | 'calendarSync'
  | 'transcripts'
>;

/**
 * Wires the engine to its adapters and starts the workers: the one path every message takes,
 * whether it came from WhatsApp, the simulator or the terminal chat. Each message carries its
 * shop; the shop's engine (its config, its stores, its number) is built here, once per version of
 * its file, and nothing below reads any other.
 */
export function createCita(options: CitaOptions) {
  const clock = options.clock ?? (() => new Date());
  const given = options.adapters ?? {};
  const shops = options.shops ?? ShopRegistry.single({ id: DEFAULT_SHOP_ID, config: options.shop!, file: '' });
  // Whatever the caller did not provide is kept in the embedded database in dataDir (opened only then).
  const embedded =
    STORED_PORTS.every((port) => given[port]) || (options.storesFor && given.inbox)
      ? undefined
      : createSqliteAdapters({ dataDir: options.dataDir });
  const metrics = options.metrics ?? new CitaMetrics();
  if (embedded) metrics.watchEmbeddedDatabase(() => embedded.database.counts);
  const inboxPort = given.inbox ?? embedded!.adapters.inbox;
  const replyBus = given.replies ?? embedded?.adapters.replies;
  const simulator = new SimulatorMessenger();
  const bus = replyBus ?? simulator;
  const interpreter = loggedInterpreter(given.interpreter ?? ruleInterpreter);
  const voiceNotes = new VoiceNotes({
    media: given.media,
    transcriber: given.transcriber,
    onOutcome: (outcome) => metrics.voiceNotes.inc({ outcome }),
  });

  /** Everything one shop's messages are handled with, for one version of its file. */
  function buildShop(shop: Shop) {
    const own = { ...embedded?.forShop(shop.id), ...options.storesFor?.(shop), ...pick(given, SHOP_PORTS) };
    // The customer's channel (the shop's WhatsApp number), or the simulator when there is none,
    // keeping what the shop sends on its own (reminders) for that shop's next simulator turn.
    const unprompted = new SimulatorMessenger();
    const channel: Messenger = own.messenger ?? unprompted;
    // Whatever channel a conversation goes through, its messages are kept for the simulator page.
    const transcript = transcriptRecorder(own.transcripts, clock);
    const messenger: Messenger = {
      // Replies to simulator messages go back to the caller waiting for them, in whichever process; never to WhatsApp.
      // What answers a message cita queued itself (a hand-back) is sent as cita's own, in reply to nothing.
      // The transcript is written first, so the page finds a turn's replies once its caller has
      // them. Toward a channel it is not waited for: it goes out with the send's first write to
      // the store, which runs after it (one trip to Redis, not two).
      send: async (phone, replies, inReplyTo, about) => {
        const written = transcript.said(phone, replies, inReplyTo);
        if (inReplyTo !== undefined && isSimulated(inReplyTo)) {
          await written;
          return bus.deliver(inReplyTo, replies);
        }
        try {
          return await channel.send(
            phone,
            replies,
            inReplyTo !== undefined && isInternal(inReplyTo) ? undefined : inReplyTo,
            about,
          );
        } finally {
          await written;
        }
      },
      // A simulator message, or one cita queued itself, has no WhatsApp id to mark read.
      markRead: async (messageId) => {
        if (!isSimulated(messageId) && !isInternal(messageId)) await channel.markRead?.(messageId);
      },
      statusReceived: async (status) => channel.statusReceived?.(status),
    };
    const syncStore = own.calendarSync!;
    const deps = {
      shop: shop.config,
      clock,
      conversations: own.conversations!,
      transcripts: own.transcripts,
      holds: meteredHolds(own.holds!, metrics),
      // cita's own writes are remembered, to tell them from the shop's when the calendar reports them.
      calendar: meteredCalendar(trackedCalendar(own.calendar!, syncStore), metrics),
      history: meteredHistory(own.history!, metrics, shop.id),
      interpreter,
      inspect: options.inspect,
      reminders: own.reminders!,
      noticeSettings: own.noticeSettings!,
      waitlist: own.waitlist!,
      optOuts: own.optOuts!,
    };
    const shopVoiceNotes = own.media
      ? new VoiceNotes({
          media: own.media,
          transcriber: given.transcriber,
          onOutcome: (outcome) => metrics.voiceNotes.inc({ outcome }),
        })
      : voiceNotes;
    const notices = staffNotices({ ...deps, messenger, settings: deps.noticeSettings, metrics });
    const undelivered = undeliveredReporter({ ...deps, notices, metrics });
    channel.onUndelivered?.(undelivered);
    channel.onTokenTaken?.(undelivered.tokenTaken);
    const engine = new ConversationEngine({
      ...deps,
      voiceNotes: shopVoiceNotes,
      messenger,
      // What this shop's engine queues itself (a hand-back) is this shop's.
      inbox: { accept: (message: Omit<InboundMessage, 'shop'>) => inbox.accept({ ...message, shop: shop.id }) },
      notices,
      onStateEntered: (state) => metrics.stateEntries.inc({ state }),
      onEventRefused: (reason) => metrics.refusedEvents.inc({ reason: REFUSAL_LABELS[reason] }),
    });
    const reminderDeps = { ...deps, schedule: deps.reminders, messenger, metrics, notices };
    const waitlistDeps = { ...deps, notices, messenger, metrics };
    const followUpDeps = { ...deps, messenger, metrics };
    return {
      shop,
      deps,
      rateLimiter: own.rateLimiter!,
      /** Which customer each WhatsApp user id stands for at this shop (read by the webhook). */
      aliases: own.aliases,
      engine,
      messenger,
      transcript,
      slowDown: (message: InboundMessage) => slowDownReplies(message.phone, deps),
      unprompted,
      reminderDeps,
      reminderLoop: startReminderLoop(reminderDeps),
      waitlistDeps,
      waitlistLoop: startWaitlistLoop(waitlistDeps),
      followUpDeps,
      followUpLoop: startFollowUpLoop(followUpDeps),
      /** Where this shop's calendar sync is kept: positions, cita's own writes, push channels. */
      syncStore,
      watch: watchCalendar(own.calendar!, { ...deps, store: syncStore, messenger }, options.calendarWatch),
    };
  }
  type ShopRuntime = ReturnType<typeof buildShop>;

  const runtimes = new Map<string, ShopRuntime>();
  /** The shop's runtime for its current file; a changed file gets a new one, a removed shop none. */
  function runtimeFor(id: string): ShopRuntime | undefined {
    const shop = shops.shop(id);
    const built = runtimes.get(id);
    if (!shop) {
      if (built) retire(id, built);
      return undefined;
    }
    if (built?.shop === shop) return built;
    if (built) retire(id, built);
    const runtime = buildShop(shop);
    runtimes.set(id, runtime);
    return runtime;
  }
  function retire(id: string, runtime: ShopRuntime) {
    runtimes.delete(id);
    runtime.reminderLoop.stop().catch(() => {});
    runtime.waitlistLoop.stop().catch(() => {});
    runtime.followUpLoop.stop().catch(() => {});
    // A retired version of the shop stops watching; the new one reads on from the stored positions.
    runtime.watch.stop().catch(() => {});
    runtime.engine.close();
  }
  // Every shop's reminders go out from the start, not only once a customer writes.
  const startAll = () => {
    for (const shop of shops.list()) runtimeFor(shop.id);
    for (const [id, runtime] of runtimes) if (!shops.shop(id)) retire(id, runtime);
  };

  // Counted as messages arrive, whichever way they come, not when a worker reaches them.
  const inbox = rateCountedAtArrival(
    meteredInbox(inboxPort, metrics),
    (message) => runtimeFor(message.shop ?? DEFAULT_SHOP_ID)?.rateLimiter,
  );
  startAll();
  const unsubscribe = shops.onChange(startAll);
  const workers = startWorkers({
    inbox,
    shops: (id) => runtimeFor(id),
    concurrency: options.workers,
    metrics,
  });
  // The first shop's parts, as with one shop (tests, the terminal chat without --shop); a folder
  // with no shop yet has none.
  const first = runtimeFor(shops.list()[0]?.id ?? DEFAULT_SHOP_ID);
  const firstParts =
    first ?? ({ deps: {}, engine: undefined, messenger: undefined, watch: idleWatch() } as unknown as ShopRuntime);

  return {
    ...firstParts.deps,
    shops,
    /** The parts of one shop as served now (its file's current version). */
    forShop: (id: string) => runtimeFor(id),
    inbox,
    /** The first shop's aliases, as with one shop; the webhook reads each shop's by `forShop`. */
    aliases: first?.aliases,
    engine: firstParts.engine,
    messenger: firstParts.messenger,
    metrics,
    /** Messages claimed and not yet finished by this process's workers. */
    get inFlight() {
      return workers.inFlight;
    },
    /**
     * Sends a customer's message through the inbox and waits for the replies, as the simulator and
     * the terminal chat do. A redelivered id answers nothing new. `extra.shop` picks the shop
     * (default: the first).
     */
    async converse(
      phone: string,
      content: InboundMessage['content'],
      extra: Partial<InboundMessage> = {},
    ): Promise<OutboundMessage[]> {
      // The simulator's and the terminal's border: what the webhook's parsing does for WhatsApp.
      const message = InboundMessage.parse({
        id: `${SIMULATED_ID_PREFIX}${randomUUID()}`,
        shop: first?.shop.id,
        phone,
        receivedAt: clock().toISOString(),
        content,
        ...extra,
      });
      await given.replies?.ready?.();
      if ((await inbox.accept(message)) === 'duplicate') return [];
      const replies = await bus.repliesTo(message.id, options.turnTimeoutMs);
      // Reminders sent since the customer's last turn show first, as they would on the phone.
      return [...(runtimeFor(message.shop)?.unprompted.takeUnprompted(phone) ?? []), ...replies];
    },
    /** Sends the reminders due now (the loop does this every few seconds; tests call it directly). */
    sendDueReminders: async () => {
      const rounds = await Promise.all(
        shops.list().flatMap((shop) => {
          const runtime = runtimeFor(shop.id);
          return runtime ? [sendDueReminders(runtime.reminderDeps)] : [];
        }),
      );
      return rounds.length === 1 ? rounds[0]! : mergeRounds(rounds);
    },
    /** Offers freed time to waitlisted customers and the next one unanswered offers, for every shop (the loop does this too). */
    offerFreedTime: async () => {
      const rounds = await Promise.all(
        shops.list().flatMap((shop) => {
          const runtime = runtimeFor(shop.id);
          return runtime ? [offerFreedTime(runtime.waitlistDeps)] : [];
        }),
      );
      return rounds.length === 1 ? rounds[0]! : mergeRounds(rounds);
    },
    /** Sends the *¿Repetimos?* messages and thank-yous due now, for every shop (the loop does this too). */
    followUpVisits: async () => {
      const rounds = await Promise.all(
        shops.list().flatMap((shop) => {
          const runtime = runtimeFor(shop.id);
          return runtime ? [followUpVisits(runtime.followUpDeps)] : [];
        }),
      );
      return rounds.length === 1 ? rounds[0]! : mergeRounds(rounds);
    },
    /** Where the first shop's calendar sync is kept (the webhook checks notifications against each shop's channels). */
    calendarSyncStore: firstParts.syncStore,
    /** Reads the first shop's calendars for changes now (polling does this every few seconds; tests call it directly). */
    calendarSync: firstParts.watch.sync,
    /** Opens or renews the first shop's push channels now (done at start and every hour). */
    renewCalendarChannels: firstParts.watch.renewChannels,
    /** Every shop's calendar watch, for the webhook to find a notification's channel in. */
    calendarWatchers: () =>
      shops.list().flatMap((shop) => {
        const runtime = runtimeFor(shop.id);
        return runtime ? [{ store: runtime.syncStore, sync: runtime.watch.sync }] : [];
      }),
    /**
     * Stops taking work, finishes the messages in hand within `graceMs` (handing back the rest),
     * then closes what the adapters opened.
     */
    async stop({ graceMs }: { graceMs?: number } = {}): Promise<void> {
      unsubscribe();
      await Promise.all(
        [...runtimes.values()].flatMap((runtime) => [
          runtime.reminderLoop.stop(),
          runtime.waitlistLoop.stop(),
          runtime.followUpLoop.stop(),
          runtime.watch.stop(),
        ]),
      );
      await workers.stop({ graceMs });
      for (const runtime of runtimes.values()) runtime.engine.close();
      await options.onStop?.();
      await embedded?.close();
    },
  };
}

/** The ports a shop owns, which a caller may give for every shop at once (tests). */
const SHOP_PORTS = [
  'conversations',
  'holds',
  'calendar',
  'history',
  'rateLimiter',
  'reminders',
  'noticeSettings',
  'messenger',
  'media',
  'aliases',
  'waitlist',
  'optOuts',
  'calendarSync',
  'transcripts',
] as const;

function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => from[key] !== undefined).map((key) => [key, from[key]])) as Partial<
    Pick<T, K>
  >;
}

/** Several shops' reminder rounds as one. */
function mergeRounds<T extends object>(rounds: T[]): T {
  const total: Record<string, number> = {};
  for (const round of rounds) {
    for (const [key, value] of Object.entries(round)) total[key] = (total[key] ?? 0) + Number(value);
  }
  return total as T;
}

/** The ports kept in a store; any one not given is kept in the embedded database. */
const STORED_PORTS = [
  'inbox',
  'conversations',
  'holds',
  'calendar',
  'history',
  'rateLimiter',
  'reminders',
  'noticeSettings',
  'waitlist',
  'optOuts',
  'calendarSync',
] as const;

/** The calendar's change feed, when it has one (Google's, and the embedded stores'). */
function changeFeedOf(calendar: Calendar): CalendarChanges | undefined {
  const feed = calendar as Partial<CalendarChanges>;
  return typeof feed.changesSince === 'function' && typeof feed.sources === 'function'
    ? (calendar as Calendar & CalendarChanges)
    : undefined;
}

/** Seconds between two reads of the calendar when nothing asks sooner (GOOGLE_CALENDAR_POLL_SECONDS). */
export const DEFAULT_CALENDAR_POLL_SECONDS = 60;

/** A watch on a calendar without a change feed (or on no shop): nothing to read, nothing to renew. */
function idleWatch() {
  const nothing = async (): Promise<SyncRound> => ({ notOurs: 0, unchanged: 0, past: 0, moved: 0, cancelled: 0 });
  return {
    sync: { syncAll: nothing, syncSource: nothing, sources: () => [] as string[] },
    renewChannels: async () => {},
    stop: async () => {},
  };
}

/**
 * Watches the shop's calendar: a first read at start (where its changes begin), then one every
 * `pollSeconds`, and with a public URL and Google, push channels kept open and renewed.
 */
function watchCalendar(
  calendar: Calendar,
  deps: Omit<Parameters<typeof calendarSync>[0], 'changes' | 'holder'>,
  options: CitaOptions['calendarWatch'],
) {
  const { pollSeconds = DEFAULT_CALENDAR_POLL_SECONDS, webhookUrl } = options ?? { pollSeconds: 0 };
  const changes = changeFeedOf(calendar);
  if (!changes) return idleWatch();
  const holder = randomUUID();
  const sync = calendarSync({ ...deps, changes, holder });
  const first = options
    ? sync.syncAll().catch((error) => log.warn({ event: 'calendar.sync_failed', error: String(error) }))
    : undefined;
  const afterFirst = {
    syncAll: async () => {
      await first;
      return sync.syncAll();
    },
    syncSource: async (source: string) => {
      await first;
      return sync.syncSource(source);
    },
    sources: sync.sources,
  };
  const polling = pollSeconds > 0 ? startCalendarPolling(afterFirst, pollSeconds) : undefined;
  const address = webhookUrl && isWatchable(calendar) ? webhookAddress(webhookUrl) : undefined;
  // One renewal at a time in a process: a second ask waits for the one under way.
  let renewing: Promise<void> | undefined;
  const renew = () => {
    if (!address || !isWatchable(calendar)) return Promise.resolve();
    renewing ??= renewChannels({ calendar, store: deps.store, address, clock: deps.clock, holder })
      .then(
        () => {},
        (error) => log.warn({ event: 'calendar.channels_failed', error: String(error) }, 'push channels not renewed'),
      )
      .finally(() => {
        renewing = undefined;
      });
    return renewing;
  };
  const renewal = address ? setInterval(renew, RENEW_CHECK_MS) : undefined;
  renewal?.unref();
  void renew();
  return {
    sync: afterFirst,
    renewChannels: renew,
    async stop() {
      clearInterval(renewal);
      await renewing;
      await polling?.stop();
      await first;
    },
  };
}

/** The "slow down" reply in the language the customer's conversation is in. */
async function slowDownReplies(
  phone: string,
  { shop, conversations }: { shop: ShopConfig; conversations: ConversationStore },
): Promise<OutboundMessage[]> {
  const { conversation } = await conversations.load(phone);
  const spoken = z.object({ context: z.object({ language: Language }) }).safeParse(conversation?.snapshot);
  const language = spoken.success ? spoken.data.context.language : shop.languages.default;
  return [{ kind: 'text', body: COPY[language].remarks.slowDown }];
}

export type Cita = ReturnType<typeof createCita>;
