import { Hono } from 'hono';
import { z } from 'zod';
import { Language, type ShopConfig, serviceById } from '../../config/schema.ts';
import { Booking, Slot } from '../../machines/booking.context.ts';
import {
  type Calendar,
  type Clock,
  type ConversationStore,
  Phone,
  type TranscriptEntry,
  type Transcripts,
} from '../engine/ports.ts';
import { SavedSlots } from '../engine/saved-slots.ts';

/**
 * The saved snapshot, read loosely: only what the simulator's side panel shows, each field on its
 * own, so a snapshot from an older machine still shows whatever it has instead of failing whole.
 */
const loose = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

const PanelSnapshot = z.object({
  value: z.union([z.string(), z.record(z.string(), z.unknown())]),
  status: loose(z.string()),
  context: z.object({
    language: loose(Language),
    serviceId: loose(z.string()),
    barberId: loose(z.string()),
    date: loose(z.string()),
    wantedTime: loose(z.string()),
    slots: SavedSlots.catch([]),
    slotPage: loose(z.number()),
    chosenSlot: loose(Slot),
    hold: loose(z.object({ token: z.string(), expiresAt: z.string(), barberId: z.string().optional() })),
    booking: loose(Booking),
    intent: loose(z.string()),
    selectedBookingId: loose(z.string()),
    moving: loose(Booking),
    notes: z.array(z.looseObject({ kind: z.string() })).catch([]),
  }),
});

/** What `GET /simulator/conversations/:phone` answers: the machine's state and a readable part of its context. */
export interface ConversationView {
  phone: string;
  /** The shop's timezone, for showing the times below as the shop sees them. */
  timezone: string;
  /** The machine's state, nested states joined by dots ("choosingSlot"). */
  state: string;
  /** The actor's status ("active", or "done"/"error" for a conversation that ended). */
  status?: string;
  context: {
    language?: string;
    service?: { id: string; name?: string };
    /** The barber asked for ("any" for anyone), and the one holding the slot. */
    barber?: string;
    date?: string;
    wantedTime?: string;
    /** How many free times of `date` the customer was offered, and which page of them they see. */
    offeredSlots: number;
    slotPage?: number;
    chosenSlot?: { date: string; time: string };
    /** The slot held while the customer confirms; the token is masked. */
    hold?: { token: string; expiresAt: string; barberId?: string };
    booking?: Booking;
    /** The phone's appointments from now on, as the calendar has them (not the machine's last look-up). */
    upcomingBookings: number;
    intent?: string;
    selectedBookingId?: string;
    moving?: Booking;
    /** What the bot had to say once in its last reply ("noSlots", "timeNotFree"…). */
    notes: Array<{ kind: string } & Record<string, unknown>>;
  };
}

/** Where a page left off reading a transcript: the position of the last message it has. */
const After = z.coerce.number().int().min(0).default(0);

/**
 * What `GET /simulator/conversations/:phone/messages?after=<seq>` answers: the customer's
 * conversation in messages, oldest first (after position `after`), whichever channel carried it.
 */
export interface TranscriptView {
  phone: string;
  messages: Array<TranscriptEntry & { seq: number }>;
}

/**
 * The simulator's window into a conversation, for the page's side panel and its chat. Served only with the
 * simulator (no WhatsApp connected): it shows what a customer's conversation holds.
 *
 * @example
 * app.route('/simulator', simulatorInspection((id) => cita.forShop(id ?? 'default')?.deps));
 * // GET /simulator/conversations/34600000001 → { phone, state: 'confirming', context: { … } }
 * // GET /simulator/conversations/34600000001/messages?after=12 → { phone, messages: [{ seq: 13, from: 'cita', … }] }
 */
export function simulatorInspection(
  shops: (id: string | undefined) =>
    | {
        conversations: ConversationStore;
        shop: ShopConfig;
        calendar: Calendar;
        clock: Clock;
        transcripts?: Transcripts;
      }
    | undefined,
) {
  const routes = new Hono();

  routes.get('/conversations/:phone/messages', async function conversationMessages(c) {
    const phone = Phone.safeParse(c.req.param('phone'));
    if (!phone.success) return c.json({ error: `phone ${z.prettifyError(phone.error)}` }, 400);
    const after = After.safeParse(c.req.query('after'));
    if (!after.success) return c.json({ error: `after ${z.prettifyError(after.error)}` }, 400);
    const served = shops(c.req.query('shop'));
    if (!served) return c.json({ error: `no shop "${c.req.query('shop')}" is served` }, 404);
    const placed = (await served.transcripts?.read(phone.data, after.data)) ?? [];
    const messages: TranscriptView['messages'] = placed.map(({ seq, entry }) => ({ seq, ...entry }));
    return c.json({ phone: phone.data, messages } satisfies TranscriptView);
  });

  routes.get('/conversations/:phone', async function conversationState(c) {
    const phone = Phone.safeParse(c.req.param('phone'));
    if (!phone.success) return c.json({ error: `phone ${z.prettifyError(phone.error)}` }, 400);
    const served = shops(c.req.query('shop'));
    if (!served) return c.json({ error: `no shop "${c.req.query('shop')}" is served` }, 404);
    const { conversations, shop, calendar, clock } = served;
    const { conversation } = await conversations.load(phone.data);
    if (!conversation) return c.json({ error: `no conversation with ${phone.data} yet: send it a message first` }, 404);
    const snapshot = PanelSnapshot.safeParse(conversation.snapshot);
    if (!snapshot.success) {
      return c.json({ error: `the saved conversation is unreadable: ${z.prettifyError(snapshot.error)}` }, 500);
    }
    // The machine's own list is only what it last looked up ("mis citas"): a booking made since is not in it.
    const upcoming = await calendar.upcomingFor(phone.data, clock());
    return c.json(conversationView(phone.data, snapshot.data, shop, upcoming.length));
  });

  return routes;
}

function conversationView(
  phone: string,
  snapshot: z.infer<typeof PanelSnapshot>,
  shop: ShopConfig,
  upcomingBookings: number,
): ConversationView {
  const { context } = snapshot;
  const service = context.serviceId ? serviceById(shop, context.serviceId) : undefined;
  return {
    phone,
    timezone: shop.timezone,
    state: stateName(snapshot.value),
    status: snapshot.status,
    context: {
      language: context.language,
      service: context.serviceId
        ? { id: context.serviceId, name: service?.name[context.language ?? shop.languages.default] }
        : undefined,
      barber: context.barberId,
      date: context.date,
      wantedTime: context.wantedTime,
      offeredSlots: context.slots.length,
      slotPage: context.slotPage,
      chosenSlot: context.chosenSlot && { date: context.chosenSlot.date, time: context.chosenSlot.time },
      hold: context.hold && {
        token: maskToken(context.hold.token),
        expiresAt: context.hold.expiresAt,
        ...(context.hold.barberId && { barberId: context.hold.barberId }),
      },
      booking: context.booking,
      upcomingBookings,
      intent: context.intent,
      selectedBookingId: context.selectedBookingId,
      moving: context.moving,
      notes: context.notes,
    },
  };
}

function stateName(value: string | Record<string, unknown>): string {
  if (typeof value === 'string') return value;
  const [entry] = Object.entries(value);
  if (!entry) return '';
  const [parent, child] = entry;
  return typeof child === 'string' || (typeof child === 'object' && child !== null && Object.keys(child).length > 0)
    ? `${parent}.${stateName(child as string | Record<string, unknown>)}`
    : parent;
}

/** Enough of a hold token to tell two holds apart, not enough to release one. */
function maskToken(token: string): string {
  return token.length <= 8 ? '…' : `${token.slice(0, 4)}…`;
}
