import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { LocalCalendar } from '../adapters/local-calendar/calendar.ts';
import { LocalBookingHistory } from '../adapters/local-calendar/history.ts';
import { MemoryConversationStore } from '../adapters/memory/conversations.ts';
import { MemorySlotHolds } from '../adapters/memory/holds.ts';
import { MemoryInbox } from '../adapters/memory/inbox.ts';
import { MemoryRateLimiter } from '../adapters/memory/rate-limiter.ts';
import { MemoryReminderSchedule } from '../adapters/memory/reminders.ts';
import { SimulatorMessenger } from '../adapters/simulator/messenger.ts';
import { Language, type ShopConfig } from '../config/schema.ts';
import { ConversationEngine } from './engine/conversation.ts';
import type {
  BookingHistory,
  Calendar,
  Clock,
  ConversationStore,
  InboundMessage,
  Inbox,
  Messenger,
  RateLimiter,
  ReminderSchedule,
  SlotHolds,
} from './engine/ports.ts';
import { startWorkers } from './engine/worker.ts';
import type { Interpreter } from './interpreter/port.ts';
import { ruleInterpreter } from './interpreter/rule-interpreter.ts';
import { COPY } from './messages/views.ts';
import type { OutboundMessage } from './messages/whatsapp.ts';
import { sendDueReminders, startReminderLoop } from './reminders/sender.ts';

export interface CitaOptions {
  shop: ShopConfig;
  clock?: Clock;
  /** Where the embedded calendar and history are kept. */
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
    /** Where replies to channel messages go (WhatsApp); replies to `converse` always stay in this process. */
    messenger: Messenger;
    rateLimiter: RateLimiter;
    reminders: ReminderSchedule;
  }>;
  /** Called after the workers stop: closes what the adapters opened (the Redis connection). */
  onStop?: () => Promise<void>;
}

/**
 * Wires the engine to its adapters and starts the workers: the one path every message takes,
 * whether it came from WhatsApp, the simulator or the terminal chat.
 */
export function createCita(options: CitaOptions) {
  const clock = options.clock ?? (() => new Date());
  const adapters = options.adapters ?? {};
  const inbox = adapters.inbox ?? new MemoryInbox();
  const simulator = new SimulatorMessenger();
  /** Ids of messages sent through `converse`: their replies go back to the caller, never to WhatsApp. */
  const conversed = new Set<string>();
  const channel = adapters.messenger;
  const messenger: Messenger = channel
    ? {
        send: (phone, replies, inReplyTo) =>
          inReplyTo !== undefined && conversed.delete(inReplyTo)
            ? simulator.send(phone, replies, inReplyTo)
            : channel.send(phone, replies, inReplyTo),
      }
    : simulator;
  const deps = {
    shop: options.shop,
    clock,
    conversations: adapters.conversations ?? new MemoryConversationStore(),
    holds: adapters.holds ?? new MemorySlotHolds(clock),
    calendar: adapters.calendar ?? new LocalCalendar(options.dataDir),
    history: adapters.history ?? new LocalBookingHistory(options.dataDir),
    interpreter: adapters.interpreter ?? ruleInterpreter,
    reminders: adapters.reminders ?? new MemoryReminderSchedule(),
  };
  const engine = new ConversationEngine(deps);
  const rateLimiter = adapters.rateLimiter ?? new MemoryRateLimiter();
  const workers = startWorkers({
    inbox,
    engine,
    messenger,
    concurrency: options.workers,
    rateLimit: { limiter: rateLimiter, slowDown: (message) => slowDownReplies(message.phone, deps) },
  });
  const reminderDeps = { ...deps, schedule: deps.reminders, messenger };
  const reminderLoop = startReminderLoop(reminderDeps);

  return {
    ...deps,
    inbox,
    engine,
    messenger,
    /**
     * Sends a customer's message through the inbox and waits for the replies, as the simulator and
     * the terminal chat do. A redelivered id answers nothing new.
     */
    async converse(
      phone: string,
      content: InboundMessage['content'],
      extra: Partial<InboundMessage> = {},
    ): Promise<OutboundMessage[]> {
      const message: InboundMessage = { id: randomUUID(), phone, receivedAt: clock().toISOString(), content, ...extra };
      conversed.add(message.id);
      if ((await inbox.accept(message)) === 'duplicate') {
        conversed.delete(message.id);
        return [];
      }
      const replies = await simulator.repliesTo(message.id);
      // Reminders sent since the customer's last turn show first, as they would on the phone.
      return [...simulator.takeUnprompted(phone), ...replies];
    },
    /** Sends the reminders due now (the loop does this every few seconds; tests call it directly). */
    sendDueReminders: () => sendDueReminders(reminderDeps),
    async stop(): Promise<void> {
      await reminderLoop.stop();
      await workers.stop();
      await options.onStop?.();
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
