import { describe, expect, it } from 'vitest';
import { type BookingContext, BookingFailureReason, Note } from '../machines/booking.context.ts';
import { bookingMachine } from '../machines/booking.machine.ts';
import { InfoTopic } from '../machines/events.ts';
import { eventFromReplyId } from '../src/messages/reply-ids.ts';
import { renderReplies, STEP_VIEWS } from '../src/messages/views.ts';
import { LIMITS, OutboundMessage, optionsOf } from '../src/messages/whatsapp.ts';
import { shop } from './support/cita.ts';

const slots = Array.from({ length: 20 }, (_, i) => {
  const minutes = 10 * 60 + i * 15;
  const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return { date: '2026-11-25', time, start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T09:30:00.000Z' };
});

const BOOKING = { id: 'abc12', serviceId: 'corte-barba', start: slots[0].start, end: slots[0].end };

/** A context with everything filled in, so every state's view has what it could need. */
function fullContext(language: 'es' | 'en', notes: Note[] = []): BookingContext {
  return {
    language,
    serviceIds: shop.services.map((s) => s.id),
    receivedAt: '2026-11-24T09:00:00.000Z',
    handoffQuietMinutes: 120,
    staffAvailable: true,
    misreadInARow: 0,
    heldForStaff: 0,
    serviceId: 'corte-barba',
    date: '2026-11-25',
    slots,
    slotPage: 0,
    chosenSlot: slots[0],
    hold: { token: 't', slot: slots[0], expiresAt: '2026-11-24T09:05:00.000Z' },
    booking: { id: 'abc12', serviceId: 'corte-barba', start: slots[0].start, end: slots[0].end },
    cancellationNoticeMinutes: 120,
    bookings: [BOOKING, { ...BOOKING, id: 'def34', serviceId: 'barba', start: slots[5].start, end: slots[5].end }],
    intent: 'cancel',
    selectedBookingId: 'abc12',
    moving: BOOKING,
    notes,
  };
}

const ALL_NOTES: Note[] = [
  ...InfoTopic.options.map((topic) => ({ kind: 'info' as const, topic })),
  { kind: 'help' },
  { kind: 'youAreWelcome' },
  { kind: 'welcomeBack' },
  { kind: 'notUnderstood' },
  { kind: 'unknownService' },
  ...(['past', 'closed', 'beyondWindow', 'full'] as const).map((reason) => ({
    kind: 'noSlots' as const,
    date: '2026-11-30',
    reason,
  })),
  { kind: 'timeNotFree', time: '22:00' },
  { kind: 'noMoreTimes' },
  ...BookingFailureReason.options.map((reason) => ({
    kind: 'bookingFailed' as const,
    reason,
  })),
  { kind: 'availabilityUnknown' },
  { kind: 'cancelled' },
  { kind: 'startedOver' },
  { kind: 'languageChanged' },
  { kind: 'noBookings' },
  { kind: 'bookingsUnknown' },
  { kind: 'bookingCancelled', booking: BOOKING },
  { kind: 'cancelTooLate' },
  { kind: 'cancelFailed' },
  { kind: 'attendanceConfirmed' },
  { kind: 'attendanceNotRecorded' },
  // Barber notes name barbers of the team shop's config; with the one-chair shop they fall back to plain words.
  { kind: 'timeNotFree', time: '18:00', barberId: 'javi', others: ['lucia'] },
  { kind: 'unknownBarber' },
  { kind: 'barberDoesNotDoService', barberId: 'lucia', serviceId: 'barba' },
  { kind: 'groupDoesNotFit', time: '11:00', alone: true },
  // Location notes name a chain's locations; the one shop's fall back to the ids.
  { kind: 'unknownLocation' },
  { kind: 'serviceNotHere', serviceId: 'infantil', locationId: 'gracia' },
  { kind: 'personWillAnswer' },
  { kind: 'staffWillBook' },
  { kind: 'botIsBack' },
  { kind: 'waitlisted', date: '2026-11-28' },
  { kind: 'waitlistUnavailable' },
  { kind: 'partOfDayFull' },
  { kind: 'waitlistOfferGone' },
  { kind: 'waitlistOfferDeclined' },
  { kind: 'leftWaitlist', date: '2026-11-28' },
  { kind: 'optedOut' },
  { kind: 'optOutNotRecorded' },
  { kind: 'callTheShop' },
];

const states = Object.keys(bookingMachine.states);

describe('replies', () => {
  it('has a view for every state of the machine', () => {
    expect(Object.keys(STEP_VIEWS).sort()).toEqual([...states].sort());
  });

  for (const language of ['es', 'en'] as const) {
    for (const state of states) {
      it(`renders ${state} in ${language} within WhatsApp's limits, with options that are machine events`, () => {
        for (const notes of [[], ALL_NOTES.slice(0, 3), ALL_NOTES]) {
          const replies = renderReplies({ state, context: fullContext(language, notes) }, shop);
          // While a person has the conversation the bot is silent unless it has something to say once.
          if (state === 'withStaff' && notes.length === 0) {
            expect(replies).toEqual([]);
            continue;
          }
          expect(replies.length).toBeGreaterThan(0);
          for (const reply of replies) {
            expect(() => OutboundMessage.parse(reply)).not.toThrow();
            for (const option of optionsOf(reply)) expect(eventFromReplyId(option.id)).toBeDefined();
          }
        }
      });
    }
  }

  it('knows every kind of note the machine can make', () => {
    expect(new Set(ALL_NOTES.map((note) => note.kind))).toEqual(new Set(Note.options.map((o) => o.shape.kind.value)));
  });

  it('says something for every note in both languages', () => {
    for (const language of ['es', 'en'] as const) {
      for (const note of ALL_NOTES) {
        const [first] = renderReplies({ state: 'choosingSlot', context: fullContext(language, [note]) }, shop);
        expect(first.body.length, JSON.stringify(note)).toBeGreaterThan(0);
        expect(first.body).not.toContain('undefined');
      }
    }
  });

  it('pages long lists of times: nine times and a "more times" row', () => {
    const [list] = renderReplies({ state: 'choosingSlot', context: fullContext('es') }, shop);
    const titles = optionsOf(list).map((o) => o.title);
    expect(titles).toHaveLength(LIMITS.listRows);
    expect(titles.at(-1)).toBe('Más horas');
    const [second] = renderReplies({ state: 'choosingSlot', context: { ...fullContext('es'), slotPage: 2 } }, shop);
    expect(optionsOf(second).map((o) => o.title)).toEqual(['14:30', '14:45']);
  });
});
