import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { SimulatorMessenger } from '../adapters/simulator/messenger.ts';
import { createSqliteAdapters } from '../adapters/sqlite/index.ts';
import { Language, type ShopConfig } from '../config/schema.ts';
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
  type RateLimiter,
  type ReminderSchedule,
  type ReplyBus,
  SIMULATED_ID_PREFIX,
  type SlotHolds,
  type Transcriber,
} from './engine/ports.ts';
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
import { sendDueReminders, startReminderLoop } from './reminders/sender.ts';
import { staffNotices } from './staff/notices.ts';
import { undeliveredReporter } from './staff/undelivered.ts';

/** The metric's label for each reason an event read from a message was not applied. */
const REFUSAL_LABELS: Record<RefusalReason, string> = {
  notAccepted: 'not_accepted',
  confirmNotAsked: 'confirm_not_asked',
  notTheirYes: 'not_their_yes',
};

export interface CitaOptions {
  shop: ShopConfig;
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
    /** Carries simulator replies back to the waiting caller across processes (SQLite or Redis). */
    replies: ReplyBus & { ready?(): Promise<unknown> };
    /** Calendar sync positions, cita's own writes and push channels, shared by every process. */
    calendarSync: CalendarSyncStore;
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

/**
 * Wires the engine to its adapters and starts the workers: the one path every message takes,
 * whether it came from WhatsApp, the simulator or the terminal chat.
 */
export function createCita(options: CitaOptions) {
  const clock = options.clock ?? (() => new Date());
  const given = options.adapters ?? {};
  // Whatever the caller did not provide is kept in the embedded database in dataDir (opened only then).
  const embedded = STORED_PORTS.every((port) => given[port])
    ? undefined
    : createSqliteAdapters({ dataDir: options.dataDir });
  const adapters: NonNullable<CitaOptions['adapters']> = { ...embedded?.adapters, ...given };
  const metrics = options.metrics ?? new CitaMetrics();
  const rateLimiter = adapters.rateLimiter!;
  // Counted as messages arrive, whichever way they come, not when a worker reaches them.
  const inbox = rateCountedAtArrival(meteredInbox(adapters.inbox!, metrics), rateLimiter);
  const simulator = new SimulatorMessenger();
  const replyBus = adapters.replies ?? simulator;
  // The customer's channel (WhatsApp), or the simulator when there is none.
  const channel: Messenger = adapters.messenger ?? simulator;
  const messenger: Messenger = {
    // Replies to simulator messages go back to the caller waiting for them, in whichever process; never to WhatsApp.
    // What answers a message cita queued itself (a hand-back) is sent as cita's own, in reply to nothing.
    send: (phone, replies, inReplyTo, about) =>
      inReplyTo !== undefined && isSimulated(inReplyTo)
        ? replyBus.deliver(inReplyTo, replies)
        : channel.send(phone, replies, inReplyTo !== undefined && isInternal(inReplyTo) ? undefined : inReplyTo, about),
    // A simulator message, or one cita queued itself, has no WhatsApp id to mark read.
    markRead: async (messageId) => {
      if (!isSimulated(messageId) && !isInternal(messageId)) await channel.markRead?.(messageId);
    },
    statusReceived: async (status) => channel.statusReceived?.(status),
  };
  const syncStore = adapters.calendarSync!;
  const deps = {
    shop: options.shop,
    clock,
    conversations: adapters.conversations!,
    holds: meteredHolds(adapters.holds!, metrics),
    // cita's own writes are remembered, to tell them from the shop's when the calendar reports them.
    calendar: meteredCalendar(trackedCalendar(adapters.calendar!, syncStore), metrics),
    history: meteredHistory(adapters.history!, metrics),
    interpreter: loggedInterpreter(adapters.interpreter ?? ruleInterpreter),
    inspect: options.inspect,
    reminders: adapters.reminders!,
    noticeSettings: adapters.noticeSettings!,
  };
  const voiceNotes = new VoiceNotes({
    media: adapters.media,
    transcriber: adapters.transcriber,
    onOutcome: (outcome) => metrics.voiceNotes.inc({ outcome }),
  });
  const notices = staffNotices({ ...deps, messenger, settings: deps.noticeSettings, metrics });
  channel.onUndelivered?.(undeliveredReporter({ ...deps, notices, metrics }));
  const engine = new ConversationEngine({
    ...deps,
    voiceNotes,
    messenger,
    inbox,
    notices,
    onStateEntered: (state) => metrics.stateEntries.inc({ state }),
    onEventRefused: (reason) => metrics.refusedEvents.inc({ reason: REFUSAL_LABELS[reason] }),
  });
  const workers = startWorkers({
    inbox,
    engine,
    messenger,
    concurrency: options.workers,
    rateLimit: { slowDown: (message) => slowDownReplies(message.phone, deps) },
    metrics,
  });
  const reminderDeps = { ...deps, schedule: deps.reminders, messenger };
  const reminderLoop = startReminderLoop(reminderDeps);
  const watch = watchCalendar(adapters.calendar!, { ...deps, store: syncStore, messenger }, options.calendarWatch);

  return {
    ...deps,
    inbox,
    aliases: adapters.aliases,
    engine,
    messenger,
    metrics,
    /** Messages claimed and not yet finished by this process's workers. */
    get inFlight() {
      return workers.inFlight;
    },
    /**
     * Sends a customer's message through the inbox and waits for the replies, as the simulator and
     * the terminal chat do. A redelivered id answers nothing new.
     */
    async converse(
      phone: string,
      content: InboundMessage['content'],
      extra: Partial<InboundMessage> = {},
    ): Promise<OutboundMessage[]> {
      // The simulator's and the terminal's border: what the webhook's parsing does for WhatsApp.
      const message = InboundMessage.parse({
        id: `${SIMULATED_ID_PREFIX}${randomUUID()}`,
        phone,
        receivedAt: clock().toISOString(),
        content,
        ...extra,
      });
      await adapters.replies?.ready?.();
      if ((await inbox.accept(message)) === 'duplicate') return [];
      const replies = await replyBus.repliesTo(message.id, options.turnTimeoutMs);
      // Reminders sent since the customer's last turn show first, as they would on the phone.
      return [...simulator.takeUnprompted(phone), ...replies];
    },
    /** Sends the reminders due now (the loop does this every few seconds; tests call it directly). */
    sendDueReminders: () => sendDueReminders(reminderDeps),
    /** Where calendar sync is kept (the webhook checks notifications against its channels). */
    calendarSyncStore: syncStore,
    /** Reads the shop's calendars for changes now (polling does this every few seconds; tests call it directly). */
    calendarSync: watch.sync,
    /** Opens or renews the push channels now (done at start and every hour). */
    renewCalendarChannels: watch.renewChannels,
    /** Every shop's calendar watch, for the webhook to find a notification's channel in. */
    calendarWatchers: () => [{ store: syncStore, sync: watch.sync }],
    /**
     * Stops taking work, finishes the messages in hand within `graceMs` (handing back the rest),
     * then closes what the adapters opened.
     */
    async stop({ graceMs }: { graceMs?: number } = {}): Promise<void> {
      await reminderLoop.stop();
      await watch.stop();
      await workers.stop({ graceMs });
      await options.onStop?.();
      await embedded?.close();
    },
  };
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
  if (!changes) {
    const nothing = async (): Promise<SyncRound> => ({ notOurs: 0, unchanged: 0, past: 0, moved: 0, cancelled: 0 });
    return {
      sync: { syncAll: nothing, syncSource: nothing, sources: () => [] },
      renewChannels: async () => {},
      stop: async () => {},
    };
  }
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
