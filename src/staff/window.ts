import { z } from 'zod';
import { Language } from '../../config/schema.ts';
import type { ConversationStore } from '../engine/ports.ts';

/** WhatsApp lets a business write freely for 24 hours after the person's last message. */
export const WINDOW_MS = 24 * 60 * 60_000;

/** The saved conversation's language and last message time, read loosely: it may be of any machine or version. */
const Spoken = z.object({ context: z.object({ language: Language, receivedAt: z.iso.datetime().optional() }) });

/**
 * Whether cita may write to the phone as free text now (they wrote in the last 24 hours), and the
 * language their conversation is in, from the phone's saved conversation.
 */
export async function windowOf(
  conversations: ConversationStore,
  phone: string,
  now: Date,
): Promise<{ open: boolean; language?: Language }> {
  const { conversation } = await conversations.load(phone);
  const spoken = Spoken.safeParse(conversation?.snapshot);
  if (!spoken.success) return { open: false };
  const last = spoken.data.context.receivedAt;
  return {
    open: last !== undefined && now.getTime() - Date.parse(last) < WINDOW_MS,
    language: spoken.data.context.language,
  };
}
