/**
 * What cita says to the shop's staff, in Spanish and English, and what it tells customers on the
 * shop's behalf. Kept apart from the customer copy (es.ts, en.ts): a different reader, and a
 * different voice (short, for someone between two haircuts).
 */
import { counted } from './format.ts';

export const staffEs = {
  buttons: {
    agendaToday: 'Agenda de hoy',
    agendaTomorrow: 'Agenda de mañana',
    help: 'Ayuda',
    appointments: 'Ver citas',
    cancelAndTell: 'Anular y avisar',
    askToMove: 'Pedir cambio',
    noShow: 'No vino',
    yesNoShow: 'Sí, no vino',
    back: 'Volver',
    yesCancel: 'Sí, anular',
    no: 'No',
    keepThem: 'Mantenerlas',
    cancelThem: 'Anular y avisar',
    dontBlock: 'No bloquear',
    yesBlock: 'Sí, bloquear',
    handBack: 'Devolver al bot',
    bookAgain: 'Reservar otra',
    moveIt: 'Cambiar cita',
    cancelIt: 'Anular cita',
    fineByMe: 'Me va bien',
    attend: 'Allí estaré',
    change: 'Cambiar',
    cancel: 'Anular',
    moreAppointments: 'Más citas',
    moreAppointmentsDescription: (from: number, to: number) => `Ver de la ${from} a la ${to}`,
    firstAppointments: 'Volver al principio',
    firstAppointmentsDescription: 'Ver las primeras citas del día',
  },
  menu: (name: string) => `Hola, ${name}. ¿Qué miramos?`,
  oneMoment: 'Un momento…',
  agenda: (day: string, lines: string) => `📋 Agenda del ${day}:\n${lines}\n\nToca una cita para actuar sobre ella.`,
  emptyAgenda: (day: string) => `📋 El ${day} no hay citas.`,
  agendaPage: (from: number, to: number, total: number) => `Citas ${from}–${to} de ${total}:`,
  agendaLine: (time: string, customer: string, service: string) => `${time} · ${customer} · ${service}`,
  barberHeading: (barber: string) => `*${barber}*`,
  unknownCustomer: 'Cliente',
  appointment: (line: string) => `${line}\n¿Qué hago con esta cita?`,
  confirmCancel: (line: string) => `¿Anulo la cita (${line})? Le escribiré al cliente para que reserve otra hora.`,
  confirmNoShow: (line: string) => `¿Anoto que no vino a su cita (${line})? Contará en su historial de faltas.`,
  blockInside: (when: string, lines: string) =>
    `Voy a bloquear ${when}. Dentro hay estas citas:\n${lines}\n\n¿Las mantengo o las anulo avisando a cada cliente?`,
  blockWhen: (day: string, from: string, to: string) => `el ${day} de ${from} a ${to}`,
  confirmBlock: (when: string, wholeShop: boolean) =>
    `¿Bloqueo ${when}${wholeShop ? ' para toda la barbería' : ''}? Nadie podrá reservar en ese tiempo.`,
  help: [
    'Puedes escribirme:',
    '• «agenda», «agenda mañana», «agenda jueves»',
    '• «bloquear de 15 a 16», «mañana no vengo», «cierro el sábado a las 12»',
    '• «listo 34600…» para devolver un cliente al bot',
    '• en la agenda, una cita ya empezada: «No vino» si el cliente no vino',
    '• «avisos off» / «avisos on»',
  ].join('\n'),
  notes: {
    help: '',
    notUnderstood: 'No te he entendido. Escribe «ayuda» para ver lo que puedo hacer.',
    tapToConfirm: (button: string) => `Para hacerlo, toca «${button}».`,
    agendaUnknown: 'Ahora mismo no puedo leer la agenda. Prueba en unos minutos.',
    appointmentCancelled: (customer: string, told: string) => `✅ Cita de ${customer} anulada. ${told}`,
    cancelFailed: 'No he podido anular la cita; sigue en pie. Prueba de nuevo en un momento.',
    moveAsked: (customer: string, told: string) =>
      `📨 Le pido a ${customer} que cambie su cita. ${told} Te avisaré cuando la cambie.`,
    moveAskFailed: 'No he podido escribir al cliente. Prueba de nuevo en un momento.',
    noShowTooEarly: 'Esa cita aún no ha empezado: «No vino» se puede anotar cuando ya ha pasado su hora.',
    noShowMarked: (customer: string, noShows: number | undefined, windowDays: number | undefined) =>
      `✅ Anotado: ${customer} no vino.${noShows !== undefined && windowDays !== undefined ? ` Lleva ${counted(noShows, 'es', { one: 'falta', other: 'faltas' })} en los últimos ${windowDays} días.` : ''}`,
    noShowNotMarked: 'No he podido anotarlo. Prueba de nuevo en un momento.',
    blockNotPossible: 'Ese día no abrimos a esas horas: no hay nada que bloquear.',
    timeBlocked: (when: string, cancelled: number, notTold: number) =>
      `✅ Bloqueado ${when}.${cancelled > 0 ? ` ${counted(cancelled, 'es', { one: 'cita anulada', other: 'citas anuladas' })}.` : ''}${notTold === 1 ? ' A 1 cliente no he podido avisarle: llámale, por favor.' : notTold > 1 ? ` A ${counted(notTold, 'es', { one: 'cliente', other: 'clientes' })} no he podido avisarles: llámales, por favor.` : ''}`,
    blockFailed: 'No he podido bloquear ese tiempo. Prueba de nuevo en un momento.',
    handedBack: '✅ Listo: el cliente vuelve a hablar con el bot.',
    notWithStaff: 'Ese cliente no estaba esperando a una persona; no he cambiado nada.',
    handBackFailed: 'No he podido devolver el cliente al bot. Prueba de nuevo en un momento.',
    noticesOn: '🔔 Avisos activados: te escribiré con cada cita nueva, anulada o cambiada.',
    noticesOff: '🔕 Avisos desactivados. Escribe «avisos on» para volver a recibirlos.',
    noticesNotSet: 'No he podido cambiar tus avisos. Prueba de nuevo en un momento.',
    languageChanged: 'De acuerdo, seguimos en español.',
  },
  delivery: {
    sent: 'Le he escrito.',
    template: 'Le he enviado el aviso de WhatsApp (llevaba más de 24 h sin escribir).',
    notSent: 'No he podido avisarle: llámale, por favor.',
  },
  /** How to answer a customer who shares no phone (a WhatsApp username): no wa.me link exists. */
  answerInBusinessApp: 'no comparte su teléfono; contéstale desde el WhatsApp del negocio (app WhatsApp Business)',
  notices: {
    booked: (line: string, customer: string) => `📅 Nueva cita: ${line} — ${customer}`,
    moved: (line: string, customer: string) => `🔁 Cita cambiada: ahora ${line} — ${customer}`,
    cancelled: (line: string, customer: string) => `❌ Cita anulada: ${line} — ${customer}`,
    handoff: (customer: string, link: string, turns: string) =>
      `🙋 ${customer} quiere hablar con una persona. El bot ya no le contesta.\nEscríbele: ${link}\n\nÚltimos mensajes:\n${turns}\n\nCuando acabes, pulsa «Devolver al bot».`,
    bookingForStaff: (customer: string, line: string, noShows: string, link: string) =>
      `📅 ${customer} quiere reservar: ${line}. ${noShows}, así que esta cita la confirmas tú: escríbele (${link}) y apúntala en la agenda. El bot ya no le contesta; cuando acabes, pulsa «Devolver al bot».`,
    noShowsCounted: (noShows: number, windowDays: number) =>
      `No vino a ${counted(noShows, 'es', { one: 'cita', other: 'citas' })} en los últimos ${windowDays} días`,
    notReached: (line: string, customer: string) =>
      `⚠️ WhatsApp no ha podido entregar el aviso a ${customer} (${line}). No lo sabe: llámale, por favor.`,
    windowClosed: (customer: string) =>
      `⚠️ ${customer} no ha recibido la respuesta del bot: pasaron más de 24 horas desde su último mensaje y WhatsApp solo deja enviar plantillas. Escríbele tú, por favor.`,
    templateRefused: (name: string, details: string) =>
      `⚠️ WhatsApp rechaza la plantilla «${name}» (${details}). Revísala en WhatsApp Manager: hasta entonces los mensajes que la usan no llegan.`,
    tokenRefused: (since: string) =>
      `⚠️ WhatsApp rechazó el token de acceso del bot desde el ${since} hasta ahora: las respuestas de ese rato no se enviaron. Mira los chats de esas horas y contesta tú a quien esperaba.`,
  },
  /** To a customer whose appointment the shop cancelled. */
  cancelledByShop: (shop: string, line: string) =>
    `Hola, desde ${shop} hemos tenido que anular tu cita (${line}). Lo sentimos mucho. ¿Quieres reservar otra hora?`,
  /** To a customer whose appointment the shop needs moved. */
  moveRequest: (shop: string, line: string) =>
    `Hola, desde ${shop} necesitamos cambiar tu cita (${line}). ¿Puedes elegir otra hora? Perdona las molestias.`,
  /** To a customer whose appointment the shop moved in its calendar. */
  movedByShop: (shop: string, service: string, date: string, time: string) =>
    `Hola, ${shop} ha cambiado tu cita de ${service} al ${date} a las ${time}. ¿Te va bien?`,
  /** To a customer over the shop's no-show limit, the day before: confirm, or the time is freed. */
  confirmAttendance: (shop: string, line: string, deadline: string) =>
    `Hola, te escribimos de ${shop} por tu cita (${line}). ¿Vienes? Confírmala con «Allí estaré» antes del ${deadline}; si no, dejaremos la hora libre para otro cliente.`,
  /** To a customer whose appointment was released for want of a confirmation. */
  releasedUnconfirmed: (shop: string, line: string) =>
    `Hola, desde ${shop}: como no nos confirmaste tu cita (${line}), hemos dejado la hora libre. Si quieres venir otro día, reserva cuando quieras.`,
};

export type StaffCopy = typeof staffEs;

export const staffEn: StaffCopy = {
  buttons: {
    agendaToday: "Today's agenda",
    agendaTomorrow: "Tomorrow's agenda",
    help: 'Help',
    appointments: 'Appointments',
    cancelAndTell: 'Cancel and tell',
    askToMove: 'Ask to move',
    noShow: 'No-show',
    yesNoShow: "Yes, didn't come",
    back: 'Back',
    yesCancel: 'Yes, cancel',
    no: 'No',
    keepThem: 'Keep them',
    cancelThem: 'Cancel and tell',
    dontBlock: "Don't block",
    yesBlock: 'Yes, block it',
    handBack: 'Back to the bot',
    bookAgain: 'Book again',
    moveIt: 'Move it',
    cancelIt: 'Cancel it',
    fineByMe: 'Works for me',
    attend: "I'll be there",
    change: 'Change',
    cancel: 'Cancel',
    moreAppointments: 'More appointments',
    moreAppointmentsDescription: (from, to) => `See ${from} to ${to}`,
    firstAppointments: 'Back to the start',
    firstAppointmentsDescription: "See the day's first appointments",
  },
  menu: (name) => `Hi, ${name}. What shall we look at?`,
  oneMoment: 'One moment…',
  agenda: (day, lines) => `📋 Agenda for ${day}:\n${lines}\n\nTap an appointment to act on it.`,
  emptyAgenda: (day) => `📋 No appointments on ${day}.`,
  agendaPage: (from, to, total) => `Appointments ${from}–${to} of ${total}:`,
  agendaLine: (time, customer, service) => `${time} · ${customer} · ${service}`,
  barberHeading: (barber) => `*${barber}*`,
  unknownCustomer: 'Customer',
  appointment: (line) => `${line}\nWhat shall I do with this appointment?`,
  confirmCancel: (line) =>
    `Cancel the appointment (${line})? I'll write to the customer so they can book another time.`,
  confirmNoShow: (line) =>
    `Record that they did not come to their appointment (${line})? It counts in their no-show record.`,
  blockInside: (when, lines) =>
    `I'm about to block ${when}. These appointments fall inside:\n${lines}\n\nKeep them, or cancel them and tell each customer?`,
  blockWhen: (day, from, to) => `${day} from ${from} to ${to}`,
  confirmBlock: (when, wholeShop) =>
    `Block ${when}${wholeShop ? ' for the whole shop' : ''}? Nobody will be able to book in that time.`,
  help: [
    'You can write:',
    '• "agenda", "agenda tomorrow", "agenda thursday"',
    '• "block from 3pm to 4pm", "not coming tomorrow", "closing saturday at 12"',
    '• "done 34600…" to give a customer back to the bot',
    '• in the agenda, an appointment that has started: "No-show" if the customer did not come',
    '• "notices off" / "notices on"',
  ].join('\n'),
  notes: {
    help: '',
    notUnderstood: 'I did not get that. Write "help" to see what I can do.',
    tapToConfirm: (button) => `To do it, tap “${button}”.`,
    agendaUnknown: "I can't read the agenda right now. Try again in a few minutes.",
    appointmentCancelled: (customer, told) => `✅ ${customer}'s appointment cancelled. ${told}`,
    cancelFailed: 'I could not cancel the appointment; it still stands. Try again in a moment.',
    moveAsked: (customer, told) =>
      `📨 Asking ${customer} to move their appointment. ${told} I'll tell you once they do.`,
    moveAskFailed: 'I could not write to the customer. Try again in a moment.',
    noShowTooEarly: 'That appointment has not started yet: "No-show" can be recorded once its time has passed.',
    noShowMarked: (customer, noShows, windowDays) =>
      `✅ Noted: ${customer} did not come.${noShows !== undefined && windowDays !== undefined ? ` That is ${counted(noShows, 'en', { one: 'no-show', other: 'no-shows' })} in the last ${windowDays} days.` : ''}`,
    noShowNotMarked: 'I could not record it. Try again in a moment.',
    blockNotPossible: 'The shop is not open then: there is nothing to block.',
    timeBlocked: (when, cancelled, notTold) =>
      `✅ Blocked ${when}.${cancelled > 0 ? ` ${counted(cancelled, 'en', { one: 'appointment', other: 'appointments' })} cancelled.` : ''}${notTold > 0 ? ` I could not tell ${counted(notTold, 'en', { one: 'customer', other: 'customers' })}: please call them.` : ''}`,
    blockFailed: 'I could not block that time. Try again in a moment.',
    handedBack: '✅ Done: the customer is talking to the bot again.',
    notWithStaff: 'That customer was not waiting for a person; nothing changed.',
    handBackFailed: 'I could not give the customer back to the bot. Try again in a moment.',
    noticesOn: "🔔 Notices on: I'll write with every new, cancelled or moved appointment.",
    noticesOff: '🔕 Notices off. Write "notices on" to get them again.',
    noticesNotSet: 'I could not change your notices. Try again in a moment.',
    languageChanged: "Sure, let's continue in English.",
  },
  delivery: {
    sent: 'I wrote to them.',
    template: 'I sent them the WhatsApp notice (they had not written for over 24 h).',
    notSent: 'I could not tell them: please call them.',
  },
  answerInBusinessApp: "they share no phone number; answer them from the shop's own WhatsApp (WhatsApp Business app)",
  notices: {
    booked: (line, customer) => `📅 New appointment: ${line} — ${customer}`,
    moved: (line, customer) => `🔁 Appointment moved: now ${line} — ${customer}`,
    cancelled: (line, customer) => `❌ Appointment cancelled: ${line} — ${customer}`,
    handoff: (customer, link, turns) =>
      `🙋 ${customer} wants to talk to a person. The bot no longer answers them.\nWrite to them: ${link}\n\nLast messages:\n${turns}\n\nWhen you are done, tap "Back to the bot".`,
    bookingForStaff: (customer, line, noShows, link) =>
      `📅 ${customer} wants to book: ${line}. ${noShows}, so this one is yours to confirm: write to them (${link}) and put it in the agenda. The bot no longer answers them; when you are done, tap "Back to the bot".`,
    noShowsCounted: (noShows, windowDays) =>
      `They missed ${counted(noShows, 'en', { one: 'appointment', other: 'appointments' })} in the last ${windowDays} days`,
    notReached: (line, customer) =>
      `⚠️ WhatsApp could not deliver the message to ${customer} (${line}). They do not know: please call them.`,
    windowClosed: (customer) =>
      `⚠️ ${customer} did not get the bot's answer: more than 24 hours had passed since their last message and WhatsApp only lets templates through. Please write to them yourself.`,
    templateRefused: (name, details) =>
      `⚠️ WhatsApp refuses the template "${name}" (${details}). Check it in WhatsApp Manager: until then the messages that use it do not arrive.`,
    tokenRefused: (since) =>
      `⚠️ WhatsApp refused the bot's access token from ${since} until now: the bot's answers in that time were not sent. Look at the chats of those hours and answer whoever was waiting.`,
  },
  cancelledByShop: (shop, line) =>
    `Hello, ${shop} here: we have had to cancel your appointment (${line}). We are very sorry. Would you like to book another time?`,
  moveRequest: (shop, line) =>
    `Hello, ${shop} here: we need to move your appointment (${line}). Could you pick another time? Sorry for the trouble.`,
  movedByShop: (shop, service, date, time) =>
    `Hello, ${shop} has moved your ${service} appointment to ${date} at ${time}. Does that work for you?`,
  confirmAttendance: (shop, line, deadline) =>
    `Hello from ${shop} about your appointment (${line}). Are you coming? Please confirm with "I'll be there" by ${deadline}; otherwise we will free the time for another customer.`,
  releasedUnconfirmed: (shop, line) =>
    `Hello from ${shop}: as your appointment (${line}) was not confirmed, we have freed the time. If you would like to come another day, book whenever you like.`,
};

export const STAFF_COPY = { es: staffEs, en: staffEn } as const;
