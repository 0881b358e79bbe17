import { DateTime } from 'luxon';
import {
  ANY_BARBER,
  addDays,
  barberById,
  barberHours,
  barbersFor,
  type Language,
  locationNameOf,
  type OpeningInterval,
  openingHoursOn,
  type ShopConfig,
  serviceById,
  shopToday,
  WEEKDAYS,
  whereBooked,
  wholeChain,
} from '../../config/schema.ts';
import type { Booking, BookingContext, Note } from '../../machines/booking.context.ts';
import { SLOTS_PER_PAGE, selectedBooking, servicePageCount } from '../../machines/booking.machine.ts';
import type { Question } from '../../machines/events.ts';
import { slotPages } from '../../machines/nearest-slots.ts';
import { bookableDays } from '../availability/days.ts';
import { en } from './en.ts';
import { es } from './es.ts';
import { localDate, localTime, longDate, namesList, price, shortDate } from './format.ts';
import { replyIdFor } from './reply-ids.ts';
import { servicesList } from './service-list.ts';
import { LIMITS, type ListRow, type OutboundMessage, shorten } from './whatsapp.ts';

export const COPY = { es, en } as const;
export type Copy = typeof es;

/** Days offered in the date list: WhatsApp lists hold 10 rows. */
export const DAYS_OFFERED = 10;

/** What a view needs to know about a conversation: the machine's state and context. */
export interface Conversation {
  state: string;
  context: BookingContext;
}

type StepView = (conversation: Conversation, shop: ShopConfig, copy: Copy) => OutboundMessage;

/**
 * The question each state asks. Busy states never rest once the engine has settled, but they have
 * a view too, so a conversation restored mid-step still gets an answer.
 */
export const STEP_VIEWS = {
  greeting: (_c, _shop, copy) => ({
    kind: 'buttons',
    body: copy.greeting,
    buttons: [{ id: replyIdFor({ type: 'BOOK_ANOTHER' }), title: copy.buttons.book }],
  }),
  lookingUpBookings: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  decidingBooking: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  showingBookings: (conversation, shop, copy) => {
    const { context } = conversation;
    if ((context.waitlist ?? []).length > 0) return bookingsAndWaitlist(conversation, shop, copy);
    return {
      kind: 'buttons',
      body: copy.yourBookings(
        context.bookings.map((booking) => `• ${bookingLine(booking, shop, context.language)}`).join('\n'),
      ),
      buttons: [
        { id: replyIdFor({ type: 'BOOK_ANOTHER' }), title: copy.buttons.bookAnother },
        { id: replyIdFor({ type: 'CANCEL_BOOKING' }), title: copy.buttons.cancelBooking },
        { id: replyIdFor({ type: 'MOVE_BOOKING' }), title: copy.buttons.moveBooking },
      ],
    };
  },
  choosingBooking: ({ context }, shop, copy) => ({
    kind: 'list',
    body: copy.whichBooking(context.intent === 'move' ? 'move' : 'cancel'),
    button: copy.buttons.bookings,
    sections: [
      {
        rows: context.bookings.slice(0, LIMITS.listRows).map((booking) => ({
          id: replyIdFor({ type: 'SELECT_BOOKING', bookingId: booking.id }),
          title: shorten(
            `${shortDate(localDate(booking.start, shop.timezone), context.language)} ${localTime(booking.start, shop.timezone)}`,
            LIMITS.rowTitle,
          ),
          description: shorten(bookedRowDescription(booking, shop, context.language), LIMITS.rowDescription),
        })),
      },
    ],
  }),
  confirmingCancellation: ({ context }, shop, copy) => ({
    kind: 'buttons',
    body: copy.confirmCancel(bookingLine(selectedBooking(context)!, shop, context.language)),
    buttons: [
      { id: replyIdFor({ type: 'CONFIRM' }), title: copy.buttons.yesCancel },
      { id: replyIdFor({ type: 'BACK' }), title: copy.buttons.keepBooking },
    ],
  }),
  cancellingBooking: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  recordingAttendance: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  joiningWaitlist: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  lookingUpWaitlist: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  leavingWaitlist: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  takingWaitlistOffer: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  decliningWaitlistOffer: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  optingOut: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  choosingService: ({ context }, shop, copy) => {
    const page = (context.servicePage ?? 0) % servicePageCount(shop.services.length);
    // What the customer already said (a day, a time, a barber) is acknowledged instead of a first hello.
    const said = saidSoFar(context, shop, copy);
    const first = said ? `${copy.noted(said)}\n${copy.whichService}` : copy.chooseService(shop.name);
    const body = page === 0 ? first : copy.chooseServiceOnPage(page + 1);
    // Moving an appointment whose service the shop no longer offers: say which appointment it is.
    const moving = context.moving ? `${copy.moving(bookingLine(context.moving, shop, context.language))}\n` : '';
    return servicesList(shop, context.language, copy, `${moving}${body}`, page);
  },
  // A file that no longer has locations: the question is the service, as for any one shop.
  choosingLocation: (conversation, shop, copy): OutboundMessage => {
    // A file that no longer has locations: the question is the service, as for any one shop.
    if (!shop.locations?.length) return STEP_VIEWS.choosingService(conversation, shop, copy);
    return {
      kind: 'list',
      body: copy.chooseLocation(shop.name),
      button: copy.buttons.locations,
      sections: [
        {
          rows: shop.locations.map((location) => ({
            id: replyIdFor({ type: 'SELECT_LOCATION', locationId: location.id }),
            title: shorten(location.name, LIMITS.rowTitle),
            description: shorten(location.address, LIMITS.rowDescription),
          })),
        },
      ],
    };
  },
  nextStep: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  choosingBarber: ({ context }, shop, copy) => ({
    kind: 'list',
    body: copy.chooseBarber(withWhen(serviceName(shop, context), context, shop, copy)),
    button: copy.buttons.barbers,
    sections: [
      {
        rows: [
          {
            id: replyIdFor({ type: 'SELECT_BARBER', barberId: ANY_BARBER }),
            title: copy.buttons.anyBarber,
            description: copy.buttons.anyBarberDescription,
          },
          ...barbersFor(shop, context.serviceId ?? '').map((barber) => ({
            id: replyIdFor({ type: 'SELECT_BARBER', barberId: barber.id }),
            title: shorten(barber.name, LIMITS.rowTitle),
          })),
        ],
      },
    ],
  }),
  choosingDate: ({ context }, shop, copy) => {
    // A full day just found: its first row is "notify me", so one fewer day fits the list.
    const notify: ListRow[] = context.fullDay
      ? [
          {
            id: replyIdFor({ type: 'JOIN_WAITLIST' }),
            title: copy.buttons.notifyMe,
            description: copy.buttons.notifyMeDescription,
          },
        ]
      : [];
    const days = bookableDays(shop, now(context), DAYS_OFFERED - notify.length);
    if (days.length === 0) return { kind: 'text', body: copy.noBookableDays };
    const service = serviceName(shop, context, context.barberId);
    const moving = context.moving ? `${copy.moving(bookingLine(context.moving, shop, context.language))}\n` : '';
    // "El martes" said on a Tuesday: the two dates it could be, and any other day.
    if (context.eitherDate) {
      const [first, second] = context.eitherDate.map((date) => calledDate(date, shop, context, copy));
      return {
        kind: 'buttons',
        body: `${moving}${copy.whichOfTwoDays(service, wantedHours(context, copy), first, second)}`,
        buttons: [
          ...context.eitherDate.map((date) => ({
            id: replyIdFor({ type: 'PICK_DATE', date }),
            title: dayButtonTitle(date, shop, context, copy),
          })),
          { id: replyIdFor({ type: 'CHANGE', step: 'date' }), title: copy.buttons.otherDay },
        ],
      };
    }
    return {
      kind: 'list',
      body: `${moving}${copy.chooseDate(service, wantedHours(context, copy))}`,
      button: copy.buttons.days,
      sections: [{ rows: [...notify, ...days.map((date) => dayRow(date, shop, context, copy))] }],
    };
  },
  checkingAvailability: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  choosingSlot: ({ context }, shop, copy) => {
    const pages = slotPages(context.slots, SLOTS_PER_PAGE);
    const page = pages[context.slotPage] ?? pages[0] ?? { where: 'first' as const, slots: [] };
    const rows: ListRow[] = page.slots.map((slot) => ({
      id: replyIdFor({ type: 'PICK_TIME', time: slot.time }),
      title: slot.time,
    }));
    if (context.slotPage + 1 < pages.length) {
      rows.push({
        id: replyIdFor({ type: 'MORE_TIMES' }),
        title: copy.buttons.moreTimes,
        description: copy.buttons.moreTimesDescription,
      });
    }
    const date = longDate(context.date!, context.language);
    return {
      kind: 'list',
      body: copy.chooseTime(serviceName(shop, context, context.barberId), date, page.where),
      button: copy.buttons.times,
      sections: [{ rows }],
    };
  },
  holdingSlot: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  confirming: ({ context }, shop, copy) => {
    const service = serviceById(shop, context.serviceId!)!;
    const hold = context.hold!;
    const slot = hold.slot;
    const buttons = [
      { id: replyIdFor({ type: 'CONFIRM' }), title: copy.buttons.confirm },
      { id: replyIdFor({ type: 'CHANGE', step: 'time' }), title: copy.buttons.changeTime },
      { id: replyIdFor({ type: 'CANCEL' }), title: copy.buttons.cancel },
    ];
    if (hold.companions?.length) {
      const parts = [{ serviceId: context.serviceId!, ...hold }, ...hold.companions];
      return {
        kind: 'buttons',
        body: copy.confirmGroup(
          groupLines(parts, shop, context.language),
          groupTotal(parts, shop, context.language),
          shop.booking.holdMinutes,
        ),
        buttons,
      };
    }
    return {
      kind: 'buttons',
      body: copy.confirm(
        withBarber(service.name[context.language], hold.barberId, shop, context.language),
        longDate(slot.date, context.language),
        slot.time,
        copy.minutes(service.durationMinutes),
        price(service.price, shop, context.language),
        shop.booking.holdMinutes,
      ),
      buttons,
    };
  },
  booking: (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment }),
  withStaff: (_c, _shop, copy) => ({ kind: 'text', body: copy.notes.personWillAnswer }),
  booked: ({ context }, here, copy) => {
    const booking = context.booking!;
    // In a chain, the location the appointment is at (the customer's), with its address and phone.
    const shop = whereBooked(here, booking.barberId);
    const service = serviceById(shop, booking.serviceId);
    const bookAnother = [{ id: replyIdFor({ type: 'BOOK_ANOTHER' }), title: copy.buttons.bookAnother }];
    if (booking.companions?.length) {
      const parts = [booking, ...booking.companions].map((b) => ({
        serviceId: b.serviceId,
        barberId: b.barberId,
        slot: { date: localDate(b.start, shop.timezone), time: localTime(b.start, shop.timezone) },
      }));
      const lines = groupLines(parts, shop, context.language);
      const total = groupTotal(parts, shop, context.language);
      return { kind: 'buttons', body: copy.bookedGroup(lines, total, shop.address, shop.phone), buttons: bookAnother };
    }
    return {
      kind: 'buttons',
      body: (booking.moved ? copy.moved : copy.booked)(
        withBarber(bookedServiceName(booking, shop, context.language), booking.barberId, shop, context.language),
        longDate(localDate(booking.start, shop.timezone), context.language),
        localTime(booking.start, shop.timezone),
        price(service?.price ?? 0, shop, context.language),
        shop.address,
        shop.phone,
      ),
      buttons: [{ id: replyIdFor({ type: 'BOOK_ANOTHER' }), title: copy.buttons.bookAnother }],
    };
  },
} satisfies Record<string, StepView>;

/** The messages answering a customer's turn: what the machine noted, then the current step's question. */
export function renderReplies(conversation: Conversation, shop: ShopConfig, remarks: string[] = []): OutboundMessage[] {
  const copy = COPY[conversation.context.language];
  const pin = conversation.state === 'withStaff' ? [] : shopPin(conversation, shop);
  // The pin carries the shop's name and address: the same two lines are not written again below it.
  const notes = conversation.context.notes.filter(
    (note) => !(pin.length > 0 && note.kind === 'info' && note.topic === 'address'),
  );
  const said = [...remarks, ...notes.map((note) => noteText(note, conversation, shop, copy))];
  // A person has the conversation: the bot asks nothing; it only says, once, that a person will answer.
  if (conversation.state === 'withStaff') return said.length ? [saying(said)] : [];
  // Thanks for a booking just made is answered in a line, not with the whole confirmation again.
  if (conversation.state === 'booked' && notes.length > 0 && notes.every((note) => note.kind === 'youAreWelcome')) {
    return [saying(said)];
  }
  const step = stepView(conversation, shop);
  // Notes go above the question in one message when they fit, so the customer reads one bubble.
  const preface = said.join('\n\n');
  if (preface && step.kind !== 'text' && preface.length + step.body.length + 2 <= LIMITS.interactiveBody) {
    return [...pin, { ...step, body: `${preface}\n\n${step.body}` }];
  }
  return [...pin, ...(preface ? [saying(said)] : []), step];
}

/** What the bot says in a message of its own, within WhatsApp's limit for a text. */
function saying(said: string[]): OutboundMessage {
  return { kind: 'text', body: shorten(said.join('\n\n'), LIMITS.textBody) };
}

/** The shop on the map, first, when the customer asked where it is and the config knows. */
function shopPin({ context }: Conversation, shop: ShopConfig): OutboundMessage[] {
  const asked = context.notes.some((note) => note.kind === 'info' && note.topic === 'address');
  if (!asked || !shop.location) return [];
  return [
    {
      kind: 'location',
      ...shop.location,
      name: shop.name,
      address: shop.address,
      body: COPY[context.language].info.address(shop.name, shop.address),
    },
  ];
}

/** The question of the current step alone; its options are what a bare number in the next message picks. */
export function stepView(conversation: Conversation, shop: ShopConfig): OutboundMessage {
  const view = STEP_VIEWS[conversation.state as keyof typeof STEP_VIEWS] ?? STEP_VIEWS.nextStep;
  return view(conversation, shop, COPY[conversation.context.language]);
}

function noteText(note: Note, { state, context }: Conversation, shop: ShopConfig, copy: Copy): string {
  const language = context.language;
  switch (note.kind) {
    case 'info':
      return infoText(note, shop, language);
    case 'noSlots': {
      if (note.reason === 'beyondWindow') return copy.notes.beyondWindow(shop.booking.daysAhead);
      const barber = barberById(shop, note.barberId)?.name;
      const date = longDate(note.date, language);
      if (context.companions?.length && note.reason === 'full') return copy.notes.groupFull(date);
      if (barber && note.reason === 'full') return copy.notes.barberFull(barber, date);
      if (barber && note.reason === 'closed') return copy.notes.barberOff(barber, date);
      return copy.notes[note.reason](date);
    }
    case 'timeNotFree': {
      const barber = barberById(shop, note.barberId)?.name;
      if (!barber) return copy.notes.timeNotFree(note.time);
      const others = (note.others ?? []).flatMap((id) => barberById(shop, id)?.name ?? []);
      const busy = copy.notes.barberNotFree(barber, note.time);
      return others.length > 0
        ? `${busy} ${copy.notes.othersFree(note.time, namesList(others, language), others[0])}`
        : busy;
    }
    case 'groupDoesNotFit': {
      const first = serviceById(shop, context.serviceId ?? '')?.name[language];
      const alone = note.alone && first ? ` ${copy.notes.groupAlone(first)}` : '';
      return `${copy.notes.groupDoesNotFit(note.time)}${alone}`;
    }
    case 'unknownBarber':
      return copy.notes.unknownBarber(
        namesList(
          shop.barbers.map((b) => b.name),
          language,
        ),
      );
    case 'unknownLocation':
      return copy.notes.unknownLocation(
        namesList(
          (shop.locations ?? []).map((l) => l.name),
          language,
        ),
      );
    case 'serviceNotHere':
      return copy.notes.serviceNotHere(
        serviceById(wholeChain(shop), note.serviceId)?.name[language] ?? note.serviceId,
        shop.locations?.find((l) => l.id === note.locationId)?.name ?? note.locationId,
      );
    case 'barberDoesNotDoService':
      return copy.notes.barberDoesNotDoService(
        barberById(shop, note.barberId)?.name ?? note.barberId,
        serviceById(shop, note.serviceId)?.name[language] ?? note.serviceId,
      );
    case 'bookingFailed':
      if (note.reason === 'tooLate') return copy.notes.tooLate(copy.minutes(shop.booking.minimumNoticeMinutes));
      if (note.reason === 'tooLateToCancel') {
        return copy.notes.cancelTooLate(hoursOrMinutes(shop.booking.cancellationNoticeMinutes, copy), shop.phone);
      }
      return copy.notes[note.reason];
    case 'unknownService':
      // The service list is the question of choosingService; elsewhere it is said with the note.
      return state === 'choosingService'
        ? copy.notes.unknownService
        : `${copy.notes.unknownService}\n${infoText({ topic: 'services' }, shop, language).split('\n').slice(1).join('\n')}`;
    case 'bookingCancelled':
      return copy.notes.bookingCancelled(bookingLine(note.booking, shop, language));
    case 'callTheShop':
      return copy.notes.callTheShop(shop.phone);
    case 'waitlisted':
      return copy.notes.waitlisted(longDate(note.date, language));
    case 'leftWaitlist':
      return copy.notes.leftWaitlist(longDate(note.date, language));
    // At a yes-or-no question, whatever was not the customer's own yes ("dale pues" read only by the
    // model, or nonsense) gets what the button does: the question below names the appointment.
    case 'notUnderstood':
      if (state === 'confirming') {
        return copy.notes.tapToConfirm(context.moving ? 'move' : 'book', copy.buttons.confirm);
      }
      if (state === 'confirmingCancellation') return copy.notes.tapToConfirm('cancel', copy.buttons.yesCancel);
      return copy.notes.notUnderstood;
    case 'cancelTooLate':
      return copy.notes.cancelTooLate(hoursOrMinutes(shop.booking.cancellationNoticeMinutes, copy), shop.phone);
    default:
      return copy.notes[note.kind];
  }
}

/**
 * The answer to a question about the shop, straight from its configuration: prices (of one
 * service, with one barber), hours (of one day, of one barber), the address, the services, an
 * entry of the shop's FAQ; what the config cannot answer gets the shop's phone.
 */
export function infoText(question: Question, shop: ShopConfig, language: Language): string {
  const copy = COPY[language];
  const barber = question.barberId === ANY_BARBER ? undefined : barberById(shop, question.barberId);
  const service = question.serviceId === undefined ? undefined : serviceById(shop, question.serviceId);
  switch (question.topic) {
    case 'prices': {
      const name = (s: { name: Record<Language, string> }) => s.name[language];
      if (service && barber && !barbersFor(shop, service.id).includes(barber)) {
        return copy.info.barberDoesNot(barber.name, name(service));
      }
      if (service) {
        const label = barber ? copy.withBarber(name(service), barber.name) : name(service);
        return copy.info.servicePrice(
          label,
          price(service.price, shop, language),
          copy.minutes(service.durationMinutes),
        );
      }
      const services = barber ? shop.services.filter((s) => barbersFor(shop, s.id).includes(barber)) : shop.services;
      return [
        barber ? copy.info.barberPrices(barber.name) : copy.info.prices,
        ...services.map((s) => `• ${name(s)}: ${price(s.price, shop, language)}`),
      ].join('\n');
    }
    case 'services':
      if (service) {
        return `${service.name[language]} (${copy.minutes(service.durationMinutes)}, ${price(service.price, shop, language)}): ${service.description[language]}`;
      }
      return [
        copy.info.services,
        ...shop.services.map(
          (s) => `• ${s.name[language]} (${copy.minutes(s.durationMinutes)}): ${s.description[language]}`,
        ),
      ].join('\n');
    case 'address':
      return copy.info.address(shop.name, shop.address);
    case 'hours':
      return hoursText(question.date, barber, shop, language);
    case 'faq': {
      const entry = shop.faq.find((e) => e.id === question.faqId);
      return entry ? entry.answer[language] : copy.info.other(shop.phone);
    }
    case 'other':
      return copy.info.other(shop.phone);
  }
}

/** The shop's (or a barber's) hours on one day, or for the whole week. */
function hoursText(
  date: string | undefined,
  barber: ReturnType<typeof barberById>,
  shop: ShopConfig,
  language: Language,
): string {
  const copy = COPY[language];
  const hours = barber ? barberHours(shop, barber) : shop;
  const spans = (intervals: OpeningInterval[]) =>
    namesList(
      intervals.map((h) => copy.info.span(h.from, h.to)),
      language,
    );
  if (date) {
    const day = longDate(date, language);
    const intervals = openingHoursOn(hours, date);
    if (barber) {
      return intervals.length
        ? copy.info.barberDayHours(barber.name, day, spans(intervals))
        : copy.info.barberDayOff(barber.name, day);
    }
    return intervals.length ? copy.info.dayHours(day, spans(intervals)) : copy.info.dayClosed(day);
  }
  return [
    barber ? copy.info.barberWeek(barber.name) : copy.info.hours,
    ...WEEKDAYS.map((weekday, i) => {
      const intervals = hours.openingHours[weekday];
      const name = DateTime.fromObject({ weekday: (i + 1) as 1 }, { locale: language }).toFormat('cccc');
      return `• ${name}: ${intervals.length ? intervals.map((h) => `${h.from}–${h.to}`).join(', ') : copy.info.closed}`;
    }),
  ].join('\n');
}

function dayRow(date: string, shop: ShopConfig, context: BookingContext, copy: Copy): ListRow {
  const today = shopToday(shop, now(context));
  const tomorrow = addDays(today, 1);
  const label = date === today ? copy.today : date === tomorrow ? copy.tomorrow : undefined;
  const short = shortDate(date, context.language);
  return {
    id: replyIdFor({ type: 'PICK_DATE', date }),
    title: shorten(label ? `${label} · ${short}` : short, LIMITS.rowTitle),
  };
}

/** "Hoy · mar 24 nov" when it fits a button, else "Wed 25 Nov" (the question above says "tomorrow"). */
function dayButtonTitle(date: string, shop: ShopConfig, context: BookingContext, copy: Copy): string {
  const title = dayRow(date, shop, context, copy).title;
  return title.length <= LIMITS.buttonTitle ? title : shortDate(date, context.language);
}

/** "Mis citas" with days waited on: a list, so each waitlist entry has its own row to leave it. */
function bookingsAndWaitlist({ context }: Conversation, shop: ShopConfig, copy: Copy): OutboundMessage {
  const language = context.language;
  const waitlist = context.waitlist ?? [];
  const booked = context.bookings.map((booking) => `• ${bookingLine(booking, shop, language)}`);
  const waiting = waitlist.map((wish) => {
    const service = withBarber(
      serviceById(shop, wish.serviceId)?.name[language] ?? wish.serviceId,
      wish.barberId === ANY_BARBER ? undefined : wish.barberId,
      shop,
      language,
    );
    const part = wish.from && wish.to ? `${wish.from}–${wish.to}` : undefined;
    return `• ${copy.waitlistLine(service, longDate(wish.date, language), part)}`;
  });
  const body = [
    ...(booked.length > 0 ? [copy.yourBookings(booked.join('\n'))] : []),
    copy.waitlistLines(waiting.join('\n')),
  ].join('\n\n');
  const rows: ListRow[] = [
    { id: replyIdFor({ type: 'BOOK_ANOTHER' }), title: copy.buttons.bookAnother },
    ...(booked.length > 0
      ? [
          { id: replyIdFor({ type: 'CANCEL_BOOKING' }), title: copy.buttons.cancelBooking },
          { id: replyIdFor({ type: 'MOVE_BOOKING' }), title: copy.buttons.moveBooking },
        ]
      : []),
    ...waitlist.map((wish) => ({
      id: replyIdFor({ type: 'LEAVE_WAITLIST', date: wish.date }),
      title: shorten(copy.buttons.leaveWaitlist(shortDate(wish.date, language)), LIMITS.rowTitle),
    })),
  ];
  return {
    kind: 'list',
    body: shorten(body, LIMITS.interactiveBody),
    button: copy.buttons.bookings,
    sections: [{ rows: rows.slice(0, LIMITS.listRows) }],
  };
}

/**
 * "Corte de pelo, miércoles 25 de noviembre a las 17:00"; in a chain, where: "…, en Gràcia" (the
 * appointment's location, which need not be the one the customer is booking at now).
 */
function bookingLine(booking: Booking, shop: ShopConfig, language: Language): string {
  const copy = COPY[language];
  const there = whereBooked(shop, booking.barberId);
  const service = bookedServiceName(booking, wholeChain(shop), language);
  const line = copy.bookingLine(
    withBarber(service, booking.barberId, there, language),
    longDate(localDate(booking.start, shop.timezone), language),
    localTime(booking.start, shop.timezone),
  );
  const location = locationNameOf(shop, booking.barberId);
  return location ? copy.atLocation(line, location) : line;
}

/** A booked service with its barber, and in a chain its location: "Corte de pelo con Javi · Eixample". */
function bookedRowDescription(booking: Booking, shop: ShopConfig, language: Language): string {
  const there = whereBooked(shop, booking.barberId);
  const service = withBarber(bookedServiceName(booking, wholeChain(shop), language), booking.barberId, there, language);
  const location = locationNameOf(shop, booking.barberId);
  return location ? `${service} · ${location}` : service;
}

/**
 * The name of a booked service: the shop's, in the customer's language; for a service the shop has
 * taken out since, the name it was booked under (bookings read before names were kept: its id).
 */
function bookedServiceName(booking: Booking, shop: ShopConfig, language: Language): string {
  return serviceById(shop, booking.serviceId)?.name[language] ?? booking.serviceName ?? booking.serviceId;
}

/** "2 h" for whole hours, else "90 min". */
function hoursOrMinutes(minutes: number, copy: Copy): string {
  return minutes % 60 === 0 ? `${minutes / 60} h` : copy.minutes(minutes);
}

/**
 * The service's name, with the barber's when one was asked for ("Corte de pelo con Javi"); for a
 * group, every person's ("Corte de pelo y Corte infantil").
 */
function serviceName(shop: ShopConfig, context: BookingContext, barberId?: string): string {
  const names = [context.serviceId ?? '', ...(context.companions ?? [])].map(
    (id) => serviceById(shop, id)?.name[context.language] ?? '',
  );
  // "2 × Corte de pelo" for the same service twice, "Corte de pelo y Corte infantil" otherwise.
  const label =
    names.every((name) => name === names[0]) && names.length > 1
      ? `${names.length} × ${names[0]}`
      : namesList(names, context.language);
  return withBarber(label, barberId, shop, context.language);
}

/** A group's appointments, one line each under their day: "• Corte de pelo con Javi a las 17:00 (30 min, 15 €)". */
function groupLines(
  parts: { serviceId: string; barberId?: string; slot: { date: string; time: string } }[],
  shop: ShopConfig,
  language: Language,
): string {
  const copy = COPY[language];
  const lines = parts.map(({ serviceId, barberId, slot }) => {
    const service = serviceById(shop, serviceId);
    const name = withBarber(service?.name[language] ?? serviceId, barberId, shop, language);
    return copy.groupLine(
      name,
      slot.time,
      copy.minutes(service?.durationMinutes ?? 0),
      price(service?.price ?? 0, shop, language),
    );
  });
  return [copy.groupDay(longDate(parts[0].slot.date, language)), ...lines].join('\n');
}

/** What a group's appointments cost together, in the shop's currency. */
function groupTotal(parts: { serviceId: string }[], shop: ShopConfig, language: Language): string {
  const total = parts.reduce((sum, { serviceId }) => sum + (serviceById(shop, serviceId)?.price ?? 0), 0);
  return price(total, shop, language);
}

/** "Corte de pelo con Javi"; the service alone without a barber (or for "anyone"). */
export function withBarber(
  service: string,
  barberId: string | undefined,
  shop: ShopConfig,
  language: Language,
): string {
  const barber = barberId === ANY_BARBER ? undefined : barberById(shop, barberId);
  return barber ? COPY[language].withBarber(service, barber.name) : service;
}

/**
 * What the customer said before choosing a service, as one phrase: "Viernes 27 de noviembre por
 * la tarde con Javi". Undefined when they said nothing yet.
 */
function saidSoFar(context: BookingContext, shop: ShopConfig, copy: Copy): string | undefined {
  const barber = context.barberId === ANY_BARBER ? undefined : barberById(shop, context.barberId);
  const parts = [
    dateSaid(context, shop, copy),
    wantedHours(context, copy),
    barber ? copy.withBarber('', barber.name).trim() : undefined,
  ].filter((part): part is string => part !== undefined);
  if (parts.length === 0) return undefined;
  const said = parts.join(' ');
  return said.charAt(0).toUpperCase() + said.slice(1);
}

/** "Corte de pelo, mañana por la tarde": the service with the day and hours asked for. */
function withWhen(service: string, context: BookingContext, shop: ShopConfig, copy: Copy): string {
  const when = [dateSaid(context, shop, copy), wantedHours(context, copy)].filter(Boolean).join(' ');
  return when ? `${service}, ${when}` : service;
}

/** The day said so far: the one chosen, or the two a day said could be ("martes 24 de noviembre (hoy) o martes 1 de diciembre"). */
function dateSaid(context: BookingContext, shop: ShopConfig, copy: Copy): string | undefined {
  if (context.date) return longDate(context.date, context.language);
  if (!context.eitherDate) return undefined;
  const [first, second] = context.eitherDate.map((date) => calledDate(date, shop, context, copy));
  return copy.eitherDay(first, second);
}

/** "martes 24 de noviembre (hoy)", "Wednesday 25 November (tomorrow)", or the date alone. */
function calledDate(date: string, shop: ShopConfig, context: BookingContext, copy: Copy): string {
  const today = shopToday(shop, now(context));
  const called = date === today ? copy.today : date === addDays(today, 1) ? copy.tomorrow : undefined;
  const long = longDate(date, context.language);
  return called ? copy.dayCalled(long, called) : long;
}

/** The time or stretch of the day asked for, in words: "a las 17:00", "por la tarde", "a partir de las 18:00". */
function wantedHours(context: BookingContext, copy: Copy): string | undefined {
  if (context.wantedTime) return copy.atTime(context.wantedTime);
  const part = context.wantedPartOfDay;
  if (!part) return undefined;
  if (part.from === '07:00' && part.to === '14:00') return copy.morning;
  if ((part.from === '14:00' && part.to === '21:00') || (part.from === '13:00' && part.to === '18:00')) {
    return copy.afternoon;
  }
  if (part.to === '23:59') return copy.fromTime(part.from);
  if (part.from === '00:00') return copy.beforeTime(part.to);
  return copy.betweenTimes(part.from, part.to);
}

/** The machine's notion of now: when the message being answered arrived. */
function now(context: BookingContext): Date {
  return context.receivedAt ? new Date(context.receivedAt) : new Date(0);
}
