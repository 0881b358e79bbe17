import type { es } from './es.ts';

/** Everything cita says in English, the same things as `es.ts`. */
export const en: typeof es = {
  buttons: {
    book: 'Book now',
    confirm: 'Confirm',
    changeTime: 'Change time',
    cancel: 'Cancel',
    bookAnother: 'Book another',
    services: 'See services',
    days: 'Pick a day',
    times: 'Pick a time',
    moreTimes: 'More times',
    moreTimesDescription: 'See the next free times',
  },
  today: 'Today',
  tomorrow: 'Tomorrow',
  minutes: (n) => `${n} min`,
  greeting: 'Whenever you want to book, write to me or tap the button.',
  chooseService: (shop) => `Hi! I'm the booking assistant of ${shop} ✂️\nWhich service would you like to book?`,
  chooseDate: (service, time) =>
    `${service}, great. Which day suits you${time ? ` (at ${time})` : ''}? Pick one or write it, e.g. "Friday".`,
  noBookableDays: 'There are no days open for booking right now. Call us and we will find you a time.',
  chooseTime: (service, date, page) =>
    `Free times for ${service} on ${date}${page > 0 ? ' (later)' : ''}. Pick one or write the time, e.g. "at 5pm".`,
  confirm: (service, date, time, duration, price, holdMinutes) =>
    `${service} on ${date} at ${time} (${duration}, ${price}).\nI'm holding this time for ${holdMinutes} minutes. Shall I confirm it?`,
  booked: (service, date, time, address) => `✅ Booked! ${service} on ${date} at ${time}.\nSee you at ${address}.`,
  oneMoment: 'One moment, checking…',
  notes: {
    help: 'Pick from the list or write what you want, e.g. "haircut tomorrow at 5pm". Write "prices", "hours" or "address" any time, "back" to go back or "cancel" to stop.',
    notUnderstood: "Sorry, I didn't get that.",
    unknownService: "We don't offer that service. This is what we do:",
    past: (date) => `${date} has already passed.`,
    closed: (date) => `We are closed on ${date}.`,
    beyondWindow: (days) => `Bookings can be made at most ${days} days ahead.`,
    full: (date) => `There are no free times left on ${date} for that service.`,
    timeNotFree: (time) => `${time} is not free.`,
    noMoreTimes: 'There are no more free times that day.',
    slotTaken: 'Sorry, someone has just booked that time.',
    tooLate: (notice) => `That time is too soon now: we take bookings ${notice} ahead.`,
    calendarUnavailable: "I couldn't save the booking just now; nothing was booked. Please try again in a moment.",
    availabilityUnknown: "I can't check the diary right now. Please try again in a few minutes.",
    cancelled: "OK, let's leave it here. Nothing was booked.",
    startedOver: "Let's start again.",
    languageChanged: "Sure, let's continue in English.",
    bookingStays: (phone) => `Your appointment is still booked. To cancel it, call us on ${phone}.`,
  },
  info: {
    prices: 'Prices:',
    hours: 'Opening hours:',
    closed: 'closed',
    address: (name, address) => `📍 ${name}\n${address}`,
    services: 'This is what we do:',
  },
  remarks: {
    empty: 'Your message arrived empty.',
    tooLong: 'Your message is too long for me. Tell me in a few words what you need.',
    unsupported: 'I can only read text and buttons. Please write what you need.',
    conversationLost: 'Sorry, I had to restart our conversation.',
    slowDown: "That's a lot of messages at once. Give me a moment and write again.",
  },
};
