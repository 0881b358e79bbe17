import type { es } from './es.ts';
import { counted } from './format.ts';

const MINUTES = { one: 'minute', other: 'minutes' };

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
    moreServices: 'More services',
    moreServicesDescription: (page: number, pages: number) => `Show page ${page} of ${pages}`,
    cancelBooking: 'Cancel booking',
    moveBooking: 'Change booking',
    yesCancel: 'Yes, cancel it',
    keepBooking: 'No, keep it',
    bookings: 'My bookings',
    attend: "I'll be there",
    barbers: 'Pick a barber',
    anyBarber: 'Anyone',
    anyBarberDescription: 'Whoever is free first',
  },
  otherServices: 'Other services',
  today: 'Today',
  tomorrow: 'Tomorrow',
  minutes: (n) => `${n} min`,
  greeting: 'Whenever you want to book, write to me or tap the button.',
  chooseService: (shop) => `Hi! I'm the booking assistant of ${shop} ✂️\nWhich service would you like to book?`,
  withBarber: (service, barber) => `${service} with ${barber}`,
  chooseBarber: (service) => `${service}, great. With whom? Pick one or write "anyone".`,
  chooseServiceOnPage: (page: number) => `More services (page ${page}). Which one would you like to book?`,
  chooseDate: (service, time) =>
    `${service}, great. Which day suits you${time ? ` (at ${time})` : ''}? Pick one or write it, e.g. "Friday".`,
  noBookableDays: 'There are no days open for booking right now. Call us and we will find you a time.',
  chooseTime: (service, date, where) =>
    `Free times for ${service} on ${date}${where === 'later' ? ' (later)' : where === 'earlier' ? ' (earlier)' : ''}. Pick one or write the time, e.g. "at 5pm".`,
  confirm: (service, date, time, duration, price, holdMinutes) =>
    `${service} on ${date} at ${time} (${duration}, ${price}).\nI'm holding this time for ${counted(holdMinutes, 'en', MINUTES)}. Shall I confirm it?`,
  confirmGroup: (lines, total, holdMinutes) =>
    `I'm holding these for ${counted(holdMinutes, 'en', MINUTES)}:\n${lines}\nTotal: ${total}\nShall I confirm them?`,
  bookedGroup: (lines, total, address, phone) =>
    `✅ Booked!\n${lines}\nTotal: ${total}\nSee you at ${address}.\nTo change or cancel them, write "my appointments". Phone: ${phone}.`,
  groupLine: (service, time, duration, price) => `• ${service} at ${time} (${duration}, ${price})`,
  groupDay: (date) => `On ${date}:`,
  booked: (service, date, time, price, address, phone) =>
    `✅ Booked! ${service} on ${date} at ${time} (${price}).\nSee you at ${address}.\nTo change or cancel it, write "my appointments". Phone: ${phone}.`,
  oneMoment: 'One moment, checking…',
  reminder: (service, date, time, address) =>
    `⏰ Reminder: you have a ${service} appointment on ${date} at ${time} at ${address}. Will you come?`,
  yourBookings: (lines) => `These are your upcoming appointments:\n${lines}\n\nWhat would you like to do?`,
  bookingLine: (service, date, time) => `${service}, ${date} at ${time}`,
  whichBooking: (intent) =>
    intent === 'cancel' ? 'Which appointment would you like to cancel?' : 'Which appointment would you like to change?',
  confirmCancel: (booking) => `Shall I cancel your appointment: ${booking}?`,
  moving: (booking) => `Let's change your appointment (${booking}).`,
  moved: (service, date, time, price, address, phone) =>
    `✅ Changed! Your appointment is now ${service} on ${date} at ${time} (${price}).\nSee you at ${address}.\nTo change or cancel it, write "my appointments". Phone: ${phone}.`,
  notes: {
    help: 'Pick from the list or write what you want, e.g. "haircut tomorrow at 5pm". Write "prices", "hours" or "address" any time, "back" to go back or "cancel" to stop.',
    notUnderstood: "Sorry, I didn't get that.",
    tapToConfirm: (action, button) =>
      `To ${{ book: 'book', move: 'change', cancel: 'cancel' }[action]} it, tap “${button}”.`,
    youAreWelcome: "You're welcome! I'm here if you need anything else.",
    welcomeBack: "Hi again! Let's pick up where we left off.",
    unknownService: "We don't offer that service. This is what we do:",
    past: (date) => `${date} has already passed.`,
    closed: (date) => `We are closed on ${date}.`,
    beyondWindow: (days) => `Bookings can be made at most ${counted(days, 'en', { one: 'day', other: 'days' })} ahead.`,
    full: (date) => `There are no free times left on ${date} for that service.`,
    timeNotFree: (time) => `${time} is not free.`,
    barberNotFree: (barber, time) => `${barber} is not free at ${time}.`,
    othersFree: (time, barbers, first) => `At ${time} ${barbers} is free: write "with ${first}" and I'll hold it.`,
    barberFull: (barber, date) => `On ${date} ${barber} has no free times left for that service.`,
    barberOff: (barber, date) => `${barber} does not work on ${date}.`,
    unknownBarber: (barbers) => `Nobody here goes by that name. Our barbers are ${barbers}.`,
    barberDoesNotDoService: (barber, service) => `${barber} does not do ${service}.`,
    groupDoesNotFit: (time) => `${time} is not free for all of you.`,
    groupAlone: (service) => `If you like, write "just ${service}" and I'll book only that one.`,
    groupFull: (date) => `There are no free times left on ${date} for all of you.`,
    noMoreTimes: 'There are no more free times that day.',
    slotTaken: 'Sorry, someone has just booked that time.',
    tooLate: (notice) => `That time is too soon now: we take bookings ${notice} ahead.`,
    calendarUnavailable: "I couldn't save the booking just now; nothing was booked. Please try again in a moment.",
    availabilityUnknown: "I can't check the diary right now. Please try again in a few minutes.",
    cancelled: "OK, let's leave it here. Nothing was booked.",
    startedOver: "Let's start again.",
    languageChanged: "Sure, let's continue in English.",
    noBookings: "You don't have any upcoming appointments.",
    bookingsUnknown: "I can't check your appointments right now. Please try again in a few minutes.",
    bookingCancelled: (booking) => `✅ Cancelled: ${booking}.`,
    cancelTooLate: (notice, phone) =>
      `Your appointment starts in less than ${notice}, so it can't be cancelled here any more. Please call us on ${phone}.`,
    cancelFailed: "I couldn't cancel the appointment just now; it is still booked. Please try again in a moment.",
    attendanceConfirmed: 'Thanks for confirming! See you then.',
    personWillAnswer:
      "Sure, I'm passing your message to a person from the team, who will write to you here as soon as they can. Until then I won't answer myself.",
    botIsBack: "Hello again! I'm the booking assistant again.",
    callTheShop: (phone: string) =>
      `Here it's just me, the booking assistant. To talk to someone from the team, call us on ${phone}.`,
    attendanceNotRecorded: "I couldn't note your confirmation, but your appointment stands. See you then!",
  },
  info: {
    prices: 'Prices:',
    hours: 'Opening hours:',
    closed: 'closed',
    address: (name, address) => `📍 ${name}\n${address}`,
    services: 'This is what we do:',
  },
  heard: (transcript) => `🎙️ I understood: “${transcript}”`,
  remarks: {
    empty: 'Your message arrived empty.',
    tooLong: 'Your message is too long for me. Tell me in a few words what you need.',
    unsupported: 'I can only read text, voice notes and buttons. Please write what you need.',
    voiceNotesOff: "I can't listen to voice notes right now. Could you write it, please?",
    voiceNoteUnheard: "Sorry, I couldn't hear your voice note properly. Could you write it, please?",
    photo:
      'Thanks for the photo! I\'ll keep it for your barber to see. To book, tell me the service and the day, for example "haircut tomorrow at 5".',
    sticker: '😄 Whenever you want to book, tell me the service and the day, for example "haircut tomorrow at 5".',
    document: "I can't open documents. Please write what you need.",
    video: "I can't watch videos. Please write what you need, or send me a photo of the cut you want.",
    contacts: "Thanks for the contact, but I can't use it to book. Please write what you need.",
    conversationLost: 'Sorry, I had to restart our conversation.',
    choiceGone: 'Sorry, something you had chosen is no longer available, so let me ask again.',
    slowDown: "That's a lot of messages at once. Give me a moment and write again.",
  },
};
