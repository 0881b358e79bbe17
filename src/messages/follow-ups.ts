import { DateTime } from 'luxon';
import { barberById, type Language, type ShopConfig, serviceById } from '../../config/schema.ts';
import type { Appointment } from '../engine/ports.ts';
import { longDate } from './format.ts';
import { rebookReplyId, replyIdFor } from './reply-ids.ts';
import { spokenIn, startedMessage } from './started.ts';
import { COPY, withBarber } from './views.ts';
import type { OutboundMessage } from './whatsapp.ts';

/**
 * *¿Repetimos?*: the customer's last visit was a service's `rebookAfterDays` ago. *Reservar*
 * starts a booking with that service and barber chosen; *No más avisos* opts them out. Outside the
 * 24-hour window the shop's `messaging.rebookTemplate` ({{1}} service with the barber, {{2}} day of
 * the visit).
 */
export function rebookNudgeMessage(
  visit: Pick<Appointment, 'serviceId' | 'start' | 'barberId'>,
  shop: ShopConfig,
  { language, windowOpen }: { language: Language; windowOpen: boolean },
): OutboundMessage {
  const template = shop.messaging.rebookTemplate;
  const spoken = spokenIn(template, language, windowOpen);
  const copy = COPY[spoken];
  // A barber who has since left the shop is not offered again: the customer picks another.
  const barberId = barberById(shop, visit.barberId)?.id;
  const service = withBarber(
    serviceById(shop, visit.serviceId)?.name[spoken] ?? visit.serviceId,
    barberId,
    shop,
    spoken,
  );
  const day = longDate(DateTime.fromISO(visit.start, { zone: shop.timezone }).toISODate()!, spoken);
  const buttons = [
    { id: rebookReplyId(visit.serviceId, barberId), title: copy.buttons.rebook },
    { id: replyIdFor({ type: 'STOP_MESSAGES' }), title: copy.buttons.noMoreMessages },
  ];
  return startedMessage(windowOpen, template, copy.rebookNudge(service, day), [service, day], buttons);
}

/**
 * The thank-you after a visit, with the shop's review link (`afterVisit`). Outside the 24-hour
 * window the shop's `afterVisit.template` ({{1}} the shop's name, {{2}} the review link).
 */
export function thankYouMessage(
  shop: ShopConfig,
  afterVisit: NonNullable<ShopConfig['afterVisit']>,
  { language, windowOpen }: { language: Language; windowOpen: boolean },
): OutboundMessage {
  const spoken = spokenIn(afterVisit.template, language, windowOpen);
  const body = COPY[spoken].thankYou(shop.name, afterVisit.reviewUrl);
  return startedMessage(windowOpen, afterVisit.template, body, [shop.name, afterVisit.reviewUrl], []);
}
