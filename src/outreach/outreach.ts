import { DateTime } from 'luxon';
import { z } from 'zod';
import { Language, type ShopConfig } from '../../config/schema.ts';
import { type ConversationStore, type Messenger, OutsideCustomerWindow } from '../engine/ports.ts';
import type { OutboundMessage } from '../messages/whatsapp.ts';
import { CUSTOMER_WINDOW_MS } from '../reminders/sender.ts';

/** The saved conversation's language and last message time, read loosely: it may be from any machine version. */
const SpokenContext = z.object({
  context: z.object({ language: Language, receivedAt: z.iso.datetime().optional() }),
});

/**
 * Whether `now` falls in the shop's quiet hours (`messaging.quietHours`, in its timezone), when
 * cita starts no conversation. `from` later than `to` spans midnight (21:00–09:00).
 */
export function isQuietHour(shop: ShopConfig, now: Date): boolean {
  const { from, to } = shop.messaging.quietHours;
  const time = DateTime.fromJSDate(now, { zone: shop.timezone }).toFormat('HH:mm');
  return from <= to ? time >= from && time < to : time >= from || time < to;
}

/** The customer's language and whether WhatsApp's 24-hour window is open, from their saved conversation. */
export async function customerReach(
  phone: string,
  { shop, conversations }: { shop: ShopConfig; conversations: ConversationStore },
  now: Date,
): Promise<{ language: Language; windowOpen: boolean }> {
  const { conversation } = await conversations.load(phone);
  const spoken = SpokenContext.safeParse(conversation?.snapshot);
  const lastMessage = spoken.success ? spoken.data.context.receivedAt : undefined;
  return {
    language: spoken.success ? spoken.data.context.language : shop.languages.default,
    windowOpen: lastMessage !== undefined && now.getTime() - Date.parse(lastMessage) < CUSTOMER_WINDOW_MS,
  };
}

/**
 * Sends a message cita starts on its own: free-form inside the window, else the template. When
 * WhatsApp says the window closed (131047) although the last message seen says otherwise, the
 * template goes instead. Answers how it went out.
 */
export async function sendOutreach(
  phone: string,
  message: (windowOpen: boolean) => OutboundMessage,
  windowOpen: boolean,
  messenger: Messenger,
): Promise<'sent' | 'template'> {
  try {
    await messenger.send(phone, [message(windowOpen)]);
    return windowOpen ? 'sent' : 'template';
  } catch (error) {
    if (!(windowOpen && error instanceof OutsideCustomerWindow)) throw error;
    await messenger.send(phone, [message(false)]);
    return 'template';
  }
}
