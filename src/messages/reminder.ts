import { type Language, reminderTemplateFor, type ShopConfig, serviceById, whereBooked } from '../../config/schema.ts';
import type { Appointment } from '../engine/ports.ts';
import { localDate, localTime, longDate } from './format.ts';
import { replyIdFor } from './reply-ids.ts';
import { spokenIn, startedMessage } from './started.ts';
import { COPY, withBarber } from './views.ts';
import type { OutboundMessage } from './whatsapp.ts';

/**
 * The reminder of an appointment, with buttons to say "I'll be there", change or cancel it. Inside
 * the 24-hour customer window it is an ordinary buttons message in the customer's language;
 * outside it, WhatsApp only delivers a pre-approved template: the one the shop's config
 * (`reminders.template`) names for the customer's language.
 */
export function reminderMessage(
  appointment: Appointment,
  shop: ShopConfig,
  { language, windowOpen }: { language: Language; windowOpen: boolean },
): OutboundMessage {
  const template = reminderTemplateFor(shop, language);
  const spoken = spokenIn(template, language, windowOpen);
  const copy = COPY[spoken];
  // In a chain, the appointment's own location: its address, not the chain's.
  const there = whereBooked(shop, appointment.barberId);
  const service = withBarber(
    serviceById(shop, appointment.serviceId)?.name[spoken] ?? appointment.serviceName,
    appointment.barberId,
    there,
    spoken,
  );
  const date = longDate(localDate(appointment.start, shop.timezone), spoken);
  const time = localTime(appointment.start, shop.timezone);
  const buttons = [
    { id: replyIdFor({ type: 'CONFIRM_ATTENDANCE', bookingId: appointment.id }), title: copy.buttons.attend },
    { id: replyIdFor({ type: 'MOVE_BOOKING', bookingId: appointment.id }), title: copy.buttons.moveBooking },
    { id: replyIdFor({ type: 'CANCEL_BOOKING', bookingId: appointment.id }), title: copy.buttons.cancelBooking },
  ];
  return startedMessage(
    windowOpen,
    template,
    copy.reminder(service, date, time, there.address),
    [service, date, time],
    buttons,
  );
}
