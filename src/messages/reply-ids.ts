import { CustomerEvent } from '../../machines/events.ts';

/**
 * Button and list reply ids are the events themselves, written as `TYPE` or `TYPE:value`
 * ("SELECT_SERVICE:corte", "PICK_TIME:17:00"), so a tap maps to an event with no interpretation.
 */
const PAYLOAD_FIELD: Partial<Record<CustomerEvent['type'], string>> = {
  SELECT_SERVICE: 'serviceId',
  SELECT_BARBER: 'barberId',
  SELECT_LOCATION: 'locationId',
  PICK_DATE: 'date',
  PICK_TIME: 'time',
  CHANGE: 'step',
  ASK_INFO: 'topic',
  SET_LANGUAGE: 'language',
  CANCEL_BOOKING: 'bookingId',
  MOVE_BOOKING: 'bookingId',
  SELECT_BOOKING: 'bookingId',
  CONFIRM_ATTENDANCE: 'bookingId',
  TAKE_WAITLIST_OFFER: 'offerId',
  DECLINE_WAITLIST_OFFER: 'offerId',
  LEAVE_WAITLIST: 'date',
};

export function replyIdFor(event: CustomerEvent): string {
  const field = PAYLOAD_FIELD[event.type];
  const value = field ? (event as Record<string, string | undefined>)[field] : undefined;
  return value === undefined ? event.type : `${event.type}:${value}`;
}

/**
 * Ids read recently and their events (null: not an event). The same few hundred ids (services,
 * days, times) are read on every tap and for every option a typed message is matched against, and
 * checking each against the events' schema again was a visible share of a message's CPU. A plain
 * map, emptied when full: an LRU's bookkeeping on every hit cost more than the look-up.
 */
const READ_IDS = new Map<string, CustomerEvent | null>();
const IDS_KEPT = 5_000;

/** The event a tapped button or list row stands for, or undefined for an id cita never sent. */
export function eventFromReplyId(id: string): CustomerEvent | undefined {
  let event = READ_IDS.get(id);
  if (event === undefined) {
    event = parsedReplyId(id) ?? null;
    // The ids cita sends are short (WhatsApp allows 256 characters); a longer one is not kept.
    if (id.length <= 256) {
      if (READ_IDS.size >= IDS_KEPT) READ_IDS.clear();
      READ_IDS.set(id, event);
    }
  }
  // A copy: whoever gets the event may keep or change it.
  return event ? { ...event } : undefined;
}

function parsedReplyId(id: string): CustomerEvent | undefined {
  const colon = id.indexOf(':');
  const type = colon === -1 ? id : id.slice(0, colon);
  const field = PAYLOAD_FIELD[type as CustomerEvent['type']];
  const candidate = field && colon !== -1 ? { type, [field]: id.slice(colon + 1) } : { type };
  const parsed = CustomerEvent.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}

/** The *Reservar* of a *¿Repetimos?* message: the customer's usual service and barber, chosen at once. */
const REBOOK = 'REBOOK';

/**
 * The id of a button that starts a booking with the service (and the barber) already chosen.
 *
 * @example
 * rebookReplyId('corte', 'javi') // "REBOOK:corte:javi", read back as SELECT_SERVICE then SELECT_BARBER
 */
export function rebookReplyId(serviceId: string, barberId?: string): string {
  return [REBOOK, serviceId, ...(barberId ? [barberId] : [])].join(':');
}

/** The events a tapped button or list row stands for (a *Reservar* of a nudge is two), or undefined. */
export function eventsFromReplyId(id: string): CustomerEvent[] | undefined {
  if (!id.startsWith(`${REBOOK}:`)) {
    const event = eventFromReplyId(id);
    return event && [event];
  }
  const [, serviceId, barberId] = id.split(':');
  const events = [
    eventFromReplyId(`SELECT_SERVICE:${serviceId}`),
    ...(barberId ? [eventFromReplyId(`SELECT_BARBER:${barberId}`)] : []),
  ];
  return events.every((event) => event !== undefined) ? (events as CustomerEvent[]) : undefined;
}
