import { ANY_BARBER, type Language, type ShopConfig, serviceById } from '../../config/schema.ts';
import type { WaitlistOffer } from '../engine/ports.ts';
import { longDate } from './format.ts';
import { replyIdFor } from './reply-ids.ts';
import { spokenIn, startedMessage } from './started.ts';
import { COPY, withBarber } from './views.ts';
import type { OutboundMessage } from './whatsapp.ts';

/**
 * A freed time held for a waitlisted customer, with "Reservar" and "No, gracias". Inside the
 * 24-hour window a buttons message; outside it the shop's approved template
 * (`waitlist.offerTemplate`: {{1}} service, {{2}} day, {{3}} time, {{4}} minutes held).
 */
export function waitlistOfferMessage(
  offer: WaitlistOffer,
  shop: ShopConfig,
  { language, windowOpen }: { language: Language; windowOpen: boolean },
): OutboundMessage {
  const template = shop.waitlist.offerTemplate;
  const spoken = spokenIn(template, language, windowOpen);
  const copy = COPY[spoken];
  const barberId = offer.barberId === ANY_BARBER ? undefined : offer.barberId;
  const service = withBarber(
    serviceById(shop, offer.serviceId)?.name[spoken] ?? offer.serviceId,
    barberId,
    shop,
    spoken,
  );
  const date = longDate(offer.slot.date, spoken);
  const minutes = shop.booking.waitlistHoldMinutes;
  const buttons = [
    { id: replyIdFor({ type: 'TAKE_WAITLIST_OFFER', offerId: offer.id }), title: copy.buttons.takeOffer },
    { id: replyIdFor({ type: 'DECLINE_WAITLIST_OFFER', offerId: offer.id }), title: copy.buttons.declineOffer },
  ];
  const body = copy.waitlistOffer(service, date, offer.slot.time, minutes);
  return startedMessage(windowOpen, template, body, [service, date, offer.slot.time, String(minutes)], buttons);
}
