import { z } from 'zod';
import type { Language } from '../../config/schema.ts';
import { DEFAULT_SHOP_ID, ShopId } from '../../config/shop-id.ts';
import type { Slot } from '../../machines/booking.context.ts';
import { CustomerId, PHONE_PATTERN } from '../../machines/customer-id.ts';
import { OutboundMessage } from '../messages/whatsapp.ts';

/**
 * The small interfaces the engine depends on. Each has an embedded implementation (no set-up)
 * and a real one switched on by the environment; both pass the same contract tests.
 */

/** A customer's phone as WhatsApp gives it: digits of the international number, no "+". */
export const Phone = z.string().regex(PHONE_PATTERN, 'must be the digits of an international phone number');

/** One message from a customer, as accepted by the inbox, whatever the channel. */
export const InboundMessage = z.object({
  /** WhatsApp's message id (wamid), or one the simulator makes: the key for deduplication. */
  id: z.string().min(1).max(256),
  /**
   * The shop written to (the one owning the business number the message came in on). Messages
   * stored before shops had ids belong to the single-shop set-up's.
   */
  shop: ShopId.default(DEFAULT_SHOP_ID),
  /**
   * Who wrote: their phone, or their WhatsApp user id when WhatsApp gives no phone (a customer with a
   * username). Named `phone` for history; everything keyed by it is keyed by the customer.
   */
  phone: CustomerId,
  receivedAt: z.iso.datetime(),
  /** Wall-clock time the inbox accepted it (not the shop's clock): reply latency is measured from it. */
  acceptedAt: z.iso.datetime().optional(),
  customerName: z.string().max(256).optional(),
  /** The customer's WhatsApp username, when they have one: how the staff find a customer who shares no phone. */
  customerUsername: z.string().max(64).optional(),
  /**
   * Set when the message arrived over its phone's rate limit (counted at arrival, not when a
   * worker reaches it): "slowDown" gets the one polite reply, "dropped" none.
   */
  overLimit: z.enum(['slowDown', 'dropped']).optional(),
  content: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('text'), text: z.string() }),
    z.object({ kind: z.literal('reply'), replyId: z.string().min(1), title: z.string().optional() }),
    /** A voice note (or any audio): transcribed, then read as if typed. Only the channel's media id is kept. */
    z.object({
      kind: z.literal('voice'),
      mediaId: z.string().min(1).max(256),
      mimeType: z.string().max(100).optional(),
      /** The download URL when the webhook carried it (no lookup needed), and the file's SHA-256 (hex or base64). */
      url: z.url().max(2048).optional(),
      sha256: z.string().max(128).optional(),
    }),
    /** An emoji reaction to one of cita's messages (`messageId` is the wamid of the message reacted to). */
    z.object({ kind: z.literal('reaction'), messageId: z.string().min(1).max(256), emoji: z.string().min(1).max(32) }),
    /**
     * Anything else (a photo, sticker, document, video, contact card, location…), by WhatsApp's type:
     * answered with what cita can do. `mediaId` names a photo the shop may want to see.
     */
    z.object({ kind: z.literal('unsupported'), type: z.string(), mediaId: z.string().min(1).max(256).optional() }),
    /**
     * Not from the customer: a staff member handed them back to the bot. Put in the customer's own
     * queue, so it is handled in order with their messages; only cita makes these (never a webhook).
     */
    z.object({ kind: z.literal('handedBack') }),
    /**
     * Not from the customer: the shop wrote to them by hand from the WhatsApp Business app (an echo
     * of it, `smb_message_echoes`). A person has the conversation now; only cita makes these.
     */
    z.object({ kind: z.literal('staffWrote') }),
  ]),
});
export type InboundMessage = z.infer<typeof InboundMessage>;

export interface Inbox {
  /** Stores the message durably; a message id seen before is a redelivery and is not stored again. */
  accept(message: InboundMessage): Promise<'accepted' | 'duplicate'>;
  /**
   * `accept`, the message first counted by `limiter` and stored marked with its verdict
   * (`overLimit`), as `rateCountedAtArrival` does with `check` then `accept`: in one step where
   * the limiter keeps its counts in the inbox's store (one Redis script, one SQLite transaction).
   */
  acceptCounted?(message: InboundMessage, limiter: RateLimiter): Promise<'accepted' | 'duplicate'>;
  /** The oldest waiting message of a phone nobody else is working on, or undefined when there is none. */
  claim(): Promise<InboundMessage | undefined>;
  /** The message is fully handled: its phone's next message may be claimed. */
  ack(message: InboundMessage): Promise<void>;
  /**
   * Handling failed: the message goes back to the front of its phone's queue. With `afterMs`, its
   * phone stays claimed that much longer (a process handing work back as it exits: its last send
   * must not cross the next process's).
   */
  retry(message: InboundMessage, options?: { afterMs?: number }): Promise<void>;
  /** Resolves when there may be new work, or after `ms` at the latest. */
  waitForWork(ms: number): Promise<void>;
  close(): Promise<void>;
  /** Messages accepted and not yet acknowledged, across every phone (the metrics' inbox depth). */
  depth?(): Promise<number>;
}

/** One message of the conversation in words: what the customer wrote or tapped, or the bot's question. */
export const Turn = z.object({ from: z.enum(['customer', 'bot']), text: z.string().max(300) });
export type Turn = z.infer<typeof Turn>;

/** A conversation as saved between messages. */
export const StoredConversation = z.object({
  /** Which machine the snapshot is of: a phone added to or removed from the staff starts afresh. */
  machine: z.enum(['booking', 'staff']).optional(),
  machineVersion: z.number().int(),
  /** XState's persisted snapshot of the phone's machine. */
  snapshot: z.unknown(),
  /** The last message handled and the replies it produced: a redelivery after a crash resends them instead of acting twice. */
  lastMessageId: z.string().optional(),
  replies: z.array(z.unknown()).default([]),
  /** The last few turns in words, for the LLM to read a message in context; kept no longer than the conversation. */
  turns: z.array(Turn).default([]),
  /**
   * The confirmation question the customer has in front of them, by its WhatsApp id, and the hold it
   * asked about: a ✅ reaction to exactly that message is a yes to exactly that slot.
   */
  question: z.object({ messageId: z.string().min(1), holdToken: z.string().min(1) }).optional(),
  /** WhatsApp ids of photos the customer sent (the haircut they want), newest last, for the staff to see. */
  photos: z.array(z.string().min(1)).max(3).optional(),
});
export type StoredConversation = z.infer<typeof StoredConversation>;

export interface ConversationStore {
  /** The conversation and its store version (0 when there is none). */
  load(phone: string): Promise<{ conversation?: StoredConversation; version: number }>;
  /** Saves only if nobody saved since `version` was loaded; false means someone else did. */
  save(phone: string, conversation: StoredConversation, version: number): Promise<boolean>;
}

export interface Interval {
  start: string;
  end: string;
}

/** Busy time in a calendar: of one barber's chair, or (no barber) of every chair, as a shop closure is. */
export interface BusyInterval extends Interval {
  barberId?: string;
}

export interface HeldSlot extends Interval {
  phone: string;
  token: string;
  /** The chair held; none in a shop without barbers. Holds of different barbers never collide. */
  barberId?: string;
}

export interface SlotHolds {
  /**
   * Reserves [start, end) of the barber's chair for the phone, all or nothing. Succeeds when no
   * other phone holds any part of it in that chair; the phone's own earlier holds of that chair
   * that overlap are replaced.
   */
  acquire(hold: HeldSlot, ttlMs: number): Promise<boolean>;
  /** Releases the hold only if `token` still owns it. */
  release(hold: HeldSlot): Promise<void>;
  /** Live holds overlapping the window. */
  overlapping(window: Interval): Promise<HeldSlot[]>;
}

export const Appointment = z.object({
  id: z.string().regex(/^[a-v0-9]{5,1024}$/, 'must be base32hex, as Google Calendar event ids are'),
  serviceId: z.string(),
  serviceName: z.string(),
  /** The customer: a phone, or a WhatsApp user id (see InboundMessage.phone). */
  phone: CustomerId,
  customerName: z.string().optional(),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  /** Whose chair; none in a shop without barbers. */
  barberId: z.string().optional(),
});
export type Appointment = z.infer<typeof Appointment>;

/** Thrown by a calendar that cannot answer: its busy time is unknown, never free. */
export class CalendarUnavailable extends Error {}

export interface Calendar {
  /**
   * Busy intervals overlapping the window, each with the barber whose chair it takes (none: every
   * chair). Throws CalendarUnavailable when it cannot tell.
   */
  busy(window: Interval): Promise<BusyInterval[]>;
  /** Writes the appointment; writing the same id again returns the stored one and writes nothing. */
  create(appointment: Appointment): Promise<Appointment>;
  get(id: string): Promise<Appointment | undefined>;
  cancel(id: string): Promise<void>;
  /**
   * Moves an existing appointment (same id) to the appointment's new service and times, in one write,
   * so the customer never has zero or two appointments. Throws when there is no such appointment.
   */
  reschedule(appointment: Appointment): Promise<Appointment>;
  /** The phone's appointments starting at or after `from`, in order. */
  upcomingFor(phone: string, from: Date): Promise<Appointment[]>;
  /** Every appointment overlapping the window, in order of start (the day's agenda). */
  between(window: Interval): Promise<Appointment[]>;
  /**
   * Writes time nobody can book ("mañana no vengo"): `busy` counts it from then on. Writing the
   * same id again writes nothing.
   */
  block(block: TimeBlock): Promise<void>;
}

/** Time the shop or a barber is not taking appointments. */
export const TimeBlock = z.object({
  id: z.string().regex(/^[a-v0-9]{5,1024}$/, 'must be base32hex, as Google Calendar event ids are'),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  /** Who blocked it, for the calendar entry's title ("Bloqueado – Luis"). */
  by: z.string().min(1),
  /** The barber whose time it is; the whole shop's without one. */
  barberId: z.string().optional(),
});
export type TimeBlock = z.infer<typeof TimeBlock>;

export const HistoryEntry = z.object({
  bookingId: z.string(),
  serviceId: z.string(),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  /**
   * notReached: WhatsApp could not deliver a message about this appointment (its confirmation, reminder, a change).
   * movedByShop / cancelledByShop: the owner changed it in the calendar, not the customer in the chat.
   * rebookNudged / thanked: after this visit, cita sent the *¿Repetimos?* message / the thank-you
   * (each at most once; see src/outreach/follow-ups.ts).
   * noShow: the staff marked it *No vino* once it had started. attendanceAsked: a customer over the
   * shop's no-show limit was asked to confirm it (see config `noShows`).
   */
  status: z.enum([
    'booked',
    'cancelled',
    'moved',
    'attendanceConfirmed',
    'notReached',
    'movedByShop',
    'cancelledByShop',
    'rebookNudged',
    'thanked',
    'noShow',
    'attendanceAsked',
  ]),
  at: z.iso.datetime(),
  barberId: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** Entries that say how a message about the appointment went, not where the appointment stands. */
export const MESSAGE_STATUSES: ReadonlySet<HistoryEntry['status']> = new Set(['notReached', 'rebookNudged', 'thanked']);

/**
 * What the customer wrote, as a transcript keeps it: their words, the option they tapped (by its
 * title), or what kind of message it was (a voice note's audio and a photo are not kept).
 */
export const CustomerWords = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string().max(10_000) }),
  z.object({ kind: z.literal('reply'), replyId: z.string().min(1).max(256), title: z.string().max(256).optional() }),
  z.object({ kind: z.literal('voice') }),
  z.object({ kind: z.literal('reaction'), emoji: z.string().min(1).max(32) }),
  z.object({ kind: z.literal('unsupported'), type: z.string().max(64) }),
]);
export type CustomerWords = z.infer<typeof CustomerWords>;

/** An entry's id: unique in its customer's transcript; a newline never appears in one. */
const TranscriptEntryId = z.string().regex(/^[^\n]{1,300}$/);

/**
 * One message of a conversation as the customer's phone shows it: what they wrote, or what cita
 * sent them (buttons and lists as they were), whichever channel carried it.
 */
export const TranscriptEntry = z.discriminatedUnion('from', [
  z.object({ from: z.literal('customer'), id: TranscriptEntryId, at: z.iso.datetime(), words: CustomerWords }),
  z.object({ from: z.literal('cita'), id: TranscriptEntryId, at: z.iso.datetime(), message: OutboundMessage }),
]);
export type TranscriptEntry = z.infer<typeof TranscriptEntry>;

/** A transcript entry and its place: positions only grow within a customer's transcript. */
export interface PlacedEntry {
  seq: number;
  entry: TranscriptEntry;
}

/** The messages a transcript keeps per customer: the newest, the older ones dropped. */
export const TRANSCRIPT_MAX_ENTRIES = 100;

/** A transcript is forgotten this long after its latest entry: no longer than the conversation. */
export const TRANSCRIPT_TTL_MS = 24 * 60 * 60_000;

/**
 * Each customer's conversation in messages, for the simulator page to show whatever channel it
 * came through. Bounded (TRANSCRIPT_MAX_ENTRIES) and expiring (TRANSCRIPT_TTL_MS after the latest).
 */
export interface Transcripts {
  /** Adds the entries in order; an id the transcript already holds is not added again (a redelivery). */
  append(customer: string, entries: TranscriptEntry[]): Promise<void>;
  /** The customer's entries, oldest first; only those placed after `after` when it is given. */
  read(customer: string, after?: number): Promise<PlacedEntry[]>;
}

/** Each phone's bookings over time, kept longer than conversations. */
export interface BookingHistory {
  record(phone: string, entry: HistoryEntry): Promise<void>;
  list(phone: string): Promise<HistoryEntry[]>;
}

/**
 * Which customer a WhatsApp user id stands for. A customer who shares a phone and a user id, or
 * writes with a phone one day and with only a user id the next, stays one customer: the first name
 * recorded for the user id keeps their conversation, bookings, reminders and handoffs together.
 */
export interface CustomerAliases {
  /**
   * The customer `userId` belongs to: the one recorded for it, or, the first time, `customer` (their
   * phone when WhatsApp gave one, else the user id itself), recorded from then on.
   */
  resolve(userId: string, customer: string): Promise<string>;
}

/** How long a user id is remembered after it last wrote: longer than any booking is kept ahead. */
export const ALIAS_TTL_MS = 400 * 24 * 60 * 60_000;

/**
 * Which staff phones asked not to get notices of bookings, kept apart from conversations, which
 * expire; and which warnings the staff were already given, so each is given once per shop.
 */
export interface NoticeSettings {
  isMuted(phone: string): Promise<boolean>;
  setMuted(phone: string, muted: boolean): Promise<void>;
  /**
   * Claims telling the staff about `cause` (a template WhatsApp refuses, a customer whose window
   * closed, a refused token): true for the first claim in `forMs`, false for every other one in
   * any process, before or after a restart, until `forMs` has passed. `note` is kept with it.
   */
  firstToTell(cause: string, forMs: number, note?: string): Promise<boolean>;
  /** Ends the claim of `cause` now, answering its note to the one caller that ended it (undefined to all others). */
  endClaim(cause: string): Promise<string | undefined>;
}

/** What to do with a customer's message, given how many the phone sent just before it. */
export type RateVerdict = 'allowed' | 'slowDown' | 'dropped';

/**
 * Per-phone rate limiting, checked before a message is read, so a burst costs no LLM or Calendar
 * call: over the limit, the first message gets one "slow down" reply and the rest are dropped.
 */
export interface RateLimiter {
  /** Counts the message (once, however often it is redelivered) and says how to treat it. */
  check(message: Pick<InboundMessage, 'id' | 'phone'>): Promise<RateVerdict>;
}

/** The channel's id of each reply sent, in order; undefined where it is not known (sent by an earlier try). */
export type SentMessageIds = (string | undefined)[];

/** What messages cita sends on its own are for, so a failure to deliver them is matched to them. */
export interface OutboundPurpose {
  purpose: 'reply' | 'reminder' | 'customerNotice' | 'staffNotice';
  /** The appointment they are about. */
  bookingId?: string;
  /** The staff member who asked for them (a cancellation or move made by the shop). */
  staffPhone?: string;
}

export interface Messenger {
  /**
   * Sends one turn's replies to the phone, in order. `inReplyTo` is the customer's message they
   * answer; messages cita sends on its own (reminders) have none, and may say what they are for.
   * A channel whose messages can be reacted to (WhatsApp) answers with the ids it got for them.
   */
  send(
    phone: string,
    messages: OutboundMessage[],
    inReplyTo?: string,
    about?: OutboundPurpose,
    // biome-ignore lint/suspicious/noConfusingVoidType: channels without message ids (the simulator) return nothing
  ): Promise<SentMessageIds | void>;
  /**
   * Shows the customer their message was read and an answer is coming (WhatsApp's blue ticks and
   * "typing…"). Called by the worker before the message is handled; best effort, never throws.
   */
  markRead?(messageId: string): Promise<void>;
  /**
   * What the channel later said of a message sent (WhatsApp's status webhooks): taken, delivered,
   * or failed. Throws when it cannot be recorded, so the channel delivers the status again.
   */
  statusReceived?(status: DeliveryStatus): Promise<void>;
  /** Who is told of each message refused or not delivered for good (history, metrics, the staff). */
  onUndelivered?(listener: (undelivered: Undelivered) => void | Promise<void>): void;
  /**
   * Who is told that the channel took the access token: on the first message it takes after the
   * process starts, and after each time it refused the token (WhatsApp's 190). A refusal seen by
   * any process before (a restart with a new token, say) is then over.
   */
  onTokenTaken?(listener: () => void | Promise<void>): void;
}

/** A status the channel gave for a message sent, as the webhook reads it. */
export interface DeliveryStatus {
  messageId: string;
  status: string;
  /** What the messenger sent along with the message (WhatsApp's `biz_opaque_callback_data`). */
  callbackData?: string;
  errors: { code: number; error_data?: { details?: string } }[];
}

/** A message refused (at once) or failed (`later`, by a status) for good. */
export interface Undelivered {
  reason: 'outsideWindow' | 'unreachable' | 'template' | 'tokenExpired' | 'refused';
  code?: number;
  /** Meta's `error_data.details`. */
  details?: string;
  /** The template refused, for a template message. */
  template?: string;
  phone: string;
  purpose: OutboundPurpose['purpose'];
  bookingId?: string;
  staffPhone?: string;
  later: boolean;
}

/** A media file fetched from the channel: a voice note on its way to be transcribed, never stored. */
export interface Media {
  bytes: Uint8Array;
  /** The MIME type the channel gives, e.g. "audio/ogg; codecs=opus". */
  mimeType: string;
}

/** Why a voice note could not be read; each is counted, and the customer is asked to write instead. */
export const VoiceNoteFailureReason = z.enum([
  /** No transcription service is configured (TRANSCRIPTION_* unset). */
  'not_configured',
  /** The channel no longer has the media (expired, deleted: 404). */
  'media_expired',
  /** The channel did not hand the media over (5xx, network, a refusal). */
  'media_unavailable',
  /** Longer than cita transcribes. */
  'too_large',
  /** A format the transcription service does not take (AMR, AAC) or not audio at all. */
  'unsupported_format',
  /** The transcription service refused the audio (4xx). */
  'transcription_refused',
  /** The transcription service failed or was unreachable (5xx, network). */
  'transcription_failed',
  'transcription_timeout',
  /** Silence, noise, or nothing but filler: no words to read. */
  'empty_transcript',
]);
export type VoiceNoteFailureReason = z.infer<typeof VoiceNoteFailureReason>;

/** Thrown by a media source or a transcriber that could not do its part, with the reason to count. */
export class VoiceNoteFailure extends Error {
  readonly reason: VoiceNoteFailureReason;
  constructor(reason: VoiceNoteFailureReason, detail?: string) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.reason = reason;
  }
}

/** Where the media of a customer's message is fetched from (WhatsApp: the Graph API). */
export interface MediaSource {
  /** The file behind a media id; throws VoiceNoteFailure (media_expired, too_large…) when it cannot be had. */
  download(mediaId: string, options: { maxBytes: number; url?: string; sha256?: string }): Promise<Media>;
}

/** Speech to text (an OpenAI-compatible `/audio/transcriptions`). */
export interface Transcriber {
  /** The words of the audio, `language` being the conversation's (a hint); throws VoiceNoteFailure. */
  transcribe(audio: Media, language: Language): Promise<string>;
}

/** A reminder of one appointment, due at `dueAt`; `start` is when the appointment was when it was planned. */
export const Reminder = z.object({
  bookingId: z.string().min(1),
  phone: CustomerId,
  start: z.iso.datetime(),
  dueAt: z.iso.datetime(),
  minutesBefore: z.number().int(),
  /**
   * What goes out: the reminder itself (absent), the question a customer over the no-show limit
   * must answer (`confirmAttendance`), or, at its deadline, the release of an appointment whose
   * question went unanswered (`releaseUnconfirmed`). All of an appointment's go with it.
   */
  kind: z.enum(['confirmAttendance', 'releaseUnconfirmed']).optional(),
});
export type Reminder = z.infer<typeof Reminder>;

/** Reminders waiting to go out, shared by every process. */
export interface ReminderSchedule {
  /** Plans reminders; one already planned for the same appointment and lead time is replaced. */
  plan(reminders: Reminder[]): Promise<void>;
  /** Forgets an appointment's reminders (a cancelled appointment). */
  cancelFor(bookingId: string): Promise<void>;
  /**
   * Takes the reminders due at `now`, soonest first, for REMINDER_LEASE_MS: nobody else gets them
   * meanwhile. One whose taker never says `done` (it crashed) is handed out again after that.
   */
  claimDue(now: Date, limit: number): Promise<Reminder[]>;
  /** The reminder was sent (or is not to be sent): it is forgotten. */
  done(reminder: Reminder): Promise<void>;
}

/**
 * A reminder's name: its appointment, lead time and the start it was planned for. A moved
 * appointment keeps its id, so without the start the new reminder would share the old one's name,
 * and finishing the old one would delete the new.
 */
export function reminderKey(reminder: Reminder): string {
  const key = `${reminder.bookingId}:${reminder.minutesBefore}:${Date.parse(reminder.start)}`;
  return reminder.kind ? `${key}:${reminder.kind}` : key;
}

/** How long a claimed reminder is its taker's before it is handed out again. */
export const REMINDER_LEASE_MS = 5 * 60_000;

/**
 * Where the replies to simulator and terminal-chat messages go: back to whichever process is
 * waiting for them, whichever process's worker handled the message.
 */
/** How long the simulator and the terminal chat wait for a turn's replies before saying it is late. */
export const TURN_TIMEOUT_MS = 15_000;

/** The replies to a simulator message did not come in time: the turn is still being handled, or was lost. */
export class NoReplyInTime extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`no reply within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

export interface ReplyBus {
  deliver(messageId: string, replies: OutboundMessage[]): Promise<void>;
  /** Resolves with the replies to message `messageId`, or rejects with NoReplyInTime after `timeoutMs`. */
  repliesTo(messageId: string, timeoutMs?: number): Promise<OutboundMessage[]>;
}

/** Ids of messages typed into the simulator or the terminal chat: their replies never go to WhatsApp. */
export const SIMULATED_ID_PREFIX = 'sim:';

export function isSimulated(messageId: string): boolean {
  return messageId.startsWith(SIMULATED_ID_PREFIX);
}

/** Ids of messages cita puts in a phone's queue itself (a hand-back): nothing to mark read, no reply. */
export const INTERNAL_ID_PREFIX = 'cita:';

export function isInternal(messageId: string): boolean {
  return messageId.startsWith(INTERNAL_ID_PREFIX);
}

/**
 * WhatsApp refused a message because the customer has not written in the last 24 hours (error
 * 131047): only a pre-approved template can reach them now.
 */
export class OutsideCustomerWindow extends Error {}

/**
 * WhatsApp refused a message cita sent on its own because the customer cannot be reached (131026
 * undeliverable, 131049 or 130472 held back by WhatsApp): sending it again would not help.
 */
export class CustomerUnreachable extends Error {}

export type Clock = () => Date;

export type { Slot };

/** Customers who asked cita to stop writing to them on its own ("no más avisos"): kept for good. */
export interface OptOuts {
  /** Records the opt-out; a second one keeps the first time. */
  optOut(phone: string, at: Date): Promise<void>;
  isOptedOut(phone: string): Promise<boolean>;
  /** Everyone who opted out, with when, for the staff. */
  list(): Promise<{ phone: string; at: string }[]>;
}

/** A time freed on a waitlisted day, held for one customer until they answer or `expiresAt`. */
export const WaitlistOffer = z.object({
  id: z.string().min(1).max(64),
  serviceId: z.string().min(1),
  slot: z.object({ date: z.string(), time: z.string(), start: z.iso.datetime(), end: z.iso.datetime() }),
  /** The chair held; none in a shop without barbers. */
  barberId: z.string().optional(),
  holdToken: z.string().min(1),
  expiresAt: z.iso.datetime(),
});
export type WaitlistOffer = z.infer<typeof WaitlistOffer>;

/**
 * A customer waiting for time on a full day: what they wanted (service, barber or anyone, part of
 * the day), in the order they asked; `offer` while a freed time is held for them.
 */
export const WaitlistEntry = z.object({
  phone: Phone,
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  serviceId: z.string().min(1),
  /** A barber's id or "any"; none in a shop without barbers. */
  barberId: z.string().optional(),
  /** The part of the day wanted, `from` included and `to` not; none: any time that day. */
  from: z.string().optional(),
  to: z.string().optional(),
  joinedAt: z.iso.datetime(),
  offer: WaitlistOffer.optional(),
});
export type WaitlistEntry = z.infer<typeof WaitlistEntry>;

/** The waitlists of one shop's days, shared by every process. */
export interface Waitlist {
  /** Puts the customer at the back of the day's list with their wish (a wish for a day they wait on already replaces it). */
  join(entry: Omit<WaitlistEntry, 'offer'>): Promise<void>;
  /** The customer's entries, by day. */
  entriesOf(phone: string): Promise<WaitlistEntry[]>;
  /** Takes the customer off the day's list; answers the entry removed (with any offer it had). */
  leave(phone: string, date: string): Promise<WaitlistEntry | undefined>;
  /** The days somebody waits on. */
  days(): Promise<string[]>;
  /** The day's list, first come first. */
  waiting(date: string): Promise<WaitlistEntry[]>;
  /** Records the offer for the customer's entry, only if it is there and has no offer yet. */
  startOffer(phone: string, date: string, offer: WaitlistOffer): Promise<boolean>;
  /**
   * The customer said yes to the offer: answers the entry, taken off the list, only while the offer
   * is theirs and unexpired at `now` (after that, it may be somebody else's).
   */
  takeOffer(phone: string, offerId: string, now: Date): Promise<WaitlistEntry | undefined>;
  /**
   * Ends the offer, only if it is still the entry's: declined (`requeue` false) takes the customer
   * off the day's list; unanswered (`requeue` true) puts them at its back, so the next one is asked.
   */
  endOffer(phone: string, offerId: string, options: { requeue: boolean }): Promise<WaitlistEntry | undefined>;
  /**
   * Makes `owner` the one process offering freed time for `ms` (true), unless another is (false):
   * one round at a time, so a time is never offered twice while the first offer is being made.
   */
  lead(owner: string, ms: number, now: Date): Promise<boolean>;
  /** Ends `owner`'s lead early (its round is over). */
  stepDown(owner: string): Promise<void>;
}

/**
 * One change a calendar reports: the event (its id is the booking id for cita's own) as it stands
 * now, or `cancelled` when it was deleted. A calendar reports cita's own writes too.
 */
export const CalendarChange = z.object({
  eventId: z.string().min(1),
  status: z.enum(['confirmed', 'cancelled']),
  /** The appointment the event stands for, when it stands and cita wrote it. */
  appointment: Appointment.optional(),
});
export type CalendarChange = z.infer<typeof CalendarChange>;

/** Changes read after a position, and the position to read from next time. */
export interface ChangesRead {
  changes: CalendarChange[];
  position: string;
  /** The position was too old (Google's 410 Gone): `changes` is every event, read again from scratch. */
  resynced?: boolean;
}

/**
 * What changed in the calendars cita books into, read by position: Google's sync tokens, or the
 * embedded store's change log. Each source (one calendar) has its own position.
 */
export interface CalendarChanges {
  /** The calendars watched: Google's shop calendar and each barber's own; one for the embedded store. */
  sources(): string[];
  /**
   * Changes since `position`; without one (never read), nothing before now is reported as a
   * change and the answer is just where to read from next.
   */
  changesSince(source: string, position: string | undefined): Promise<ChangesRead>;
}

/** An appointment as cita last wrote it (booked, moved, cancelled), to tell its own writes from the owner's. */
export const WrittenAppointment = Appointment.extend({ cancelled: z.boolean().default(false) });
export type WrittenAppointment = z.infer<typeof WrittenAppointment>;

/** A Google push channel watching one calendar, as stored to check its notifications. */
export const WatchChannel = z.object({
  id: z.string().min(1).max(64),
  source: z.string().min(1),
  token: z.string().min(16),
  resourceId: z.string().min(1),
  /** When Google stops sending on it, ms since the epoch. */
  expiresAt: z.number().int(),
});
export type WatchChannel = z.infer<typeof WatchChannel>;

/**
 * Calendar sync state shared by every process of a shop: where each source was read up to (taken
 * under a lease, so a change is handled once), what cita last wrote of each appointment, and the
 * push channels open.
 */
export interface CalendarSyncStore {
  /** Takes the source's lease for `ttlMs` (false when another holder has it) and answers its position. */
  claim(source: string, holder: string, ttlMs: number): Promise<{ position?: string } | undefined>;
  /** Moves the position, only while `holder` still holds the lease; false when it lost it. */
  advance(source: string, holder: string, position: string): Promise<boolean>;
  release(source: string, holder: string): Promise<void>;
  /** Someone asked to read the source while it was being read: the holder reads it again. */
  requestAgain(source: string): Promise<void>;
  /** Whether a read was asked for since the last call (and forgets the request). */
  takeRequest(source: string): Promise<boolean>;
  rememberWrite(appointment: WrittenAppointment): Promise<void>;
  lastWrite(bookingId: string): Promise<WrittenAppointment | undefined>;
  saveChannel(channel: WatchChannel): Promise<void>;
  channel(id: string): Promise<WatchChannel | undefined>;
  channels(): Promise<WatchChannel[]>;
  dropChannel(id: string): Promise<void>;
}
