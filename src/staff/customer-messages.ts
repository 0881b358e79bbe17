import {
  type Language,
  NO_SHOW_TEMPLATES,
  type ReminderTemplate,
  type ShopConfig,
  serviceById,
} from '../../config/schema.ts';
import type { Delivery } from '../../machines/staff.context.ts';
import {
  type Appointment,
  type Clock,
  type ConversationStore,
  type Messenger,
  type OutboundPurpose,
  OutsideCustomerWindow,
} from '../engine/ports.ts';
import { log, phoneRef } from '../log.ts';
import { localDate, localTime, longDate } from '../messages/format.ts';
import { replyIdFor } from '../messages/reply-ids.ts';
import { STAFF_COPY } from '../messages/staff-copy.ts';
import { spokenIn, startedMessage } from '../messages/started.ts';
import { withBarber } from '../messages/views.ts';
import type { OutboundMessage } from '../messages/whatsapp.ts';
import { windowOf } from './window.ts';

/**
 * What the shop tells a customer about their appointment: it was cancelled, it needs moving, it was
 * moved, please confirm it (a customer over the no-show limit), or it was released unconfirmed.
 */
export type ShopMessage = 'cancelled' | 'moveRequest' | 'moved' | 'confirmAttendance' | 'releasedUnconfirmed';

/** The approved template each message goes out as outside the customer's 24-hour window. */
function templateOf(what: ShopMessage, shop: ShopConfig): ReminderTemplate {
  if (what === 'confirmAttendance' || what === 'releasedUnconfirmed') {
    return what === 'confirmAttendance'
      ? (shop.noShows?.confirmTemplate ?? NO_SHOW_TEMPLATES.confirm)
      : (shop.noShows?.releasedTemplate ?? NO_SHOW_TEMPLATES.released);
  }
  const TEMPLATE_OF = {
    cancelled: 'cancelledByShopTemplate',
    moveRequest: 'moveRequestTemplate',
    moved: 'movedByShopTemplate',
  } as const;
  return shop.notices[TEMPLATE_OF[what]];
}

/**
 * Tells a customer about their appointment on the shop's behalf, in their language, with buttons
 * to act on it themselves: as buttons inside their 24-hour window, as the approved template
 * (`notices.cancelledByShopTemplate`, `notices.moveRequestTemplate`) outside it. Never throws: a
 * customer who could not be told is reported as `notSent`, so the staff member knows to call. One
 * that WhatsApp takes but fails to deliver later is reported to `staffPhone` when its status comes.
 */
export async function tellCustomer(
  what: ShopMessage,
  appointment: Appointment,
  deps: { shop: ShopConfig; clock: Clock; conversations: ConversationStore; messenger: Messenger },
  staffPhone?: string,
  /**
   * A file for the customer (a moved appointment's calendar file), in the language given: sent
   * after the message inside the window; outside it, where WhatsApp takes nothing but the
   * template, only in the Document header of a template configured with `calendarFile`.
   */
  followUp?: (language: Language) => Promise<OutboundMessage | undefined>,
): Promise<Delivery> {
  const { shop, messenger } = deps;
  const about = { purpose: 'customerNotice', bookingId: appointment.id, staffPhone } as const;
  try {
    const window = await windowOf(deps.conversations, appointment.phone, deps.clock());
    const language = window.language ?? shop.languages.default;
    if (window.open) {
      try {
        await messenger.send(
          appointment.phone,
          [customerMessage(what, appointment, shop, language, true)],
          undefined,
          about,
        );
        await sendFollowUp(appointment.phone, language, messenger, about, followUp);
        return 'sent';
      } catch (error) {
        // WhatsApp knows the window better than the last message we saw (131047).
        if (!(error instanceof OutsideCustomerWindow)) throw error;
      }
    }
    const template = customerMessage(what, appointment, shop, language, false);
    const file =
      what === 'moved' && shop.notices.movedByShopTemplate.calendarFile
        ? await followUp?.(spokenIn(shop.notices.movedByShopTemplate, language, false))
        : undefined;
    const withFile =
      template.kind === 'template' && file?.kind === 'document'
        ? { ...template, document: { filename: file.filename, mimeType: file.mimeType, content: file.content } }
        : template;
    await messenger.send(appointment.phone, [withFile], undefined, about);
    return 'template';
  } catch (error) {
    log.warn({ event: 'customer.not_told', what, phoneRef: phoneRef(appointment.phone), error: String(error) });
    return 'notSent';
  }
}

/** Best effort: the customer has been told; a file that does not go out is logged, never a notice not sent. */
async function sendFollowUp(
  phone: string,
  language: Language,
  messenger: Messenger,
  about: OutboundPurpose,
  followUp: ((language: Language) => Promise<OutboundMessage | undefined>) | undefined,
): Promise<void> {
  try {
    const after = await followUp?.(language);
    if (after) await messenger.send(phone, [after], undefined, about);
  } catch (error) {
    log.warn({ event: 'customer.follow_up_not_sent', phoneRef: phoneRef(phone), error: String(error) });
  }
}

/** The message itself; outside the window the template's language is the one Meta approved. */
export function customerMessage(
  what: ShopMessage,
  appointment: Appointment,
  shop: ShopConfig,
  language: Language,
  windowOpen: boolean,
): OutboundMessage {
  const template = templateOf(what, shop);
  const spoken = spokenIn(template, language, windowOpen);
  const copy = STAFF_COPY[spoken];
  const service = serviceById(shop, appointment.serviceId)?.name[spoken] ?? appointment.serviceName;
  const date = longDate(localDate(appointment.start, shop.timezone), spoken);
  const time = localTime(appointment.start, shop.timezone);
  const line = `${service}, ${date} ${time}`;
  const move = { id: replyIdFor({ type: 'MOVE_BOOKING', bookingId: appointment.id }) };
  const cancel = { id: replyIdFor({ type: 'CANCEL_BOOKING', bookingId: appointment.id }) };
  const attend = {
    // "Fine by me" is the customer saying they will come: recorded as a reminder's "I'll be there" is.
    id: replyIdFor({ type: 'CONFIRM_ATTENDANCE', bookingId: appointment.id }),
    title: copy.buttons.fineByMe,
  };
  const bookAgain = [{ id: replyIdFor({ type: 'BOOK_ANOTHER' }), title: copy.buttons.bookAgain }];
  const actOnIt = [attend, { ...move, title: copy.buttons.change }, { ...cancel, title: copy.buttons.cancel }];
  let parameters = [service, date, time];
  let body: string;
  let buttons: { id: string; title: string }[];
  switch (what) {
    case 'cancelled':
      [body, buttons] = [copy.cancelledByShop(shop.name, line), bookAgain];
      break;
    case 'moveRequest':
      body = copy.moveRequest(shop.name, line);
      buttons = [
        { ...move, title: copy.buttons.moveIt },
        { ...cancel, title: copy.buttons.cancelIt },
      ];
      break;
    case 'moved':
      // The barber is named: a move to another chair is news even at the same time.
      body = copy.movedByShop(shop.name, withBarber(service, appointment.barberId, shop, spoken), date, time);
      buttons = actOnIt;
      break;
    case 'confirmAttendance': {
      const deadline = confirmationDeadline(appointment, shop, spoken);
      body = copy.confirmAttendance(shop.name, line, deadline);
      buttons = [{ ...attend, title: copy.buttons.attend }, actOnIt[1]!, actOnIt[2]!];
      parameters = [service, date, time, deadline];
      break;
    }
    case 'releasedUnconfirmed':
      [body, buttons] = [copy.releasedUnconfirmed(shop.name, line), bookAgain];
      break;
  }
  return startedMessage(windowOpen, template, body, parameters, buttons);
}

/** "martes 24 de noviembre 08:00": when a customer asked to confirm must have confirmed by. */
function confirmationDeadline(appointment: Appointment, shop: ShopConfig, language: Language): string {
  const hours = shop.noShows?.confirmByHours ?? 0;
  const at = new Date(Date.parse(appointment.start) - hours * 60 * 60_000).toISOString();
  return `${longDate(localDate(at, shop.timezone), language)} ${localTime(at, shop.timezone)}`;
}
