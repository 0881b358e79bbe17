import { counted } from './format.ts';

const MINUTES = { one: 'minuto', other: 'minutos' };

/** Everything cita says in Spanish. `en.ts` must say the same things (it is typed by this file). */
export const es = {
  buttons: {
    book: 'Reservar cita',
    confirm: 'Confirmar',
    changeTime: 'Cambiar hora',
    cancel: 'Cancelar',
    bookAnother: 'Reservar otra',
    services: 'Ver servicios',
    days: 'Elegir día',
    times: 'Elegir hora',
    moreTimes: 'Más horas',
    moreTimesDescription: 'Ver las siguientes horas libres',
    moreServices: 'Más servicios',
    moreServicesDescription: (page: number, pages: number) => `Ver la página ${page} de ${pages}`,
    cancelBooking: 'Anular cita',
    moveBooking: 'Cambiar cita',
    yesCancel: 'Sí, anularla',
    keepBooking: 'No, mantenerla',
    bookings: 'Ver citas',
    attend: 'Allí estaré',
    barbers: 'Elegir barbero',
    locations: 'Elegir barbería',
    anyBarber: 'Cualquiera',
    anyBarberDescription: 'El primero que esté libre',
    notifyMe: 'Avísame si se libera',
    notifyMeDescription: 'Te escribo si queda una hora libre',
    takeOffer: 'Reservar',
    declineOffer: 'No, gracias',
    rebook: 'Reservar',
    noMoreMessages: 'No más avisos',
    leaveWaitlist: (day: string) => `No esperar ${day}`,
    otherDay: 'Otro día',
  },
  otherServices: 'Otros servicios',
  today: 'Hoy',
  tomorrow: 'Mañana',
  minutes: (n: number) => `${n} min`,
  greeting: 'Cuando quieras reservar, escríbeme o pulsa el botón.',
  chooseService: (shop: string) => `¡Hola! Soy el asistente de citas de ${shop} ✂️\n¿Qué servicio quieres reservar?`,
  chooseLocation: (shop: string) =>
    `¡Hola! Soy el asistente de citas de ${shop} ✂️\n¿En cuál de nuestras barberías quieres la cita?`,
  /** "Corte de pelo con Javi": a service and the barber doing it. */
  withBarber: (service: string, barber: string) => `${service} con ${barber}`,
  chooseBarber: (service: string) => `${service}, perfecto. ¿Con quién? Elige o escribe «me da igual».`,
  chooseServiceOnPage: (page: number) => `Más servicios (página ${page}). ¿Cuál quieres reservar?`,
  chooseDate: (service: string, when?: string) =>
    `${service}, perfecto. ¿Qué día te viene bien${when ? ` (${when})` : ''}? Elige uno o escríbelo, por ejemplo «el viernes».`,
  /** A day said that could be either of two dates: both are shown, the customer picks. */
  whichOfTwoDays: (service: string, when: string | undefined, first: string, second: string) =>
    `${service}${when ? ` ${when}` : ''}, perfecto. ¿Qué día quieres decir: el ${first} o el ${second}?`,
  /** "martes 24 de noviembre o martes 1 de diciembre": a day said, not yet settled. */
  eitherDay: (first: string, second: string) => `${first} o ${second}`,
  /** "martes 24 de noviembre (hoy)" */
  dayCalled: (date: string, called: string) => `${date} (${called.toLowerCase()})`,
  /** What the customer said before the service, so they see it was understood: "Viernes por la tarde, anotado." */
  noted: (said: string) => `${said}, anotado.`,
  whichService: '¿Qué servicio quieres reservar?',
  atTime: (time: string) => `a las ${time}`,
  morning: 'por la mañana',
  afternoon: 'por la tarde',
  fromTime: (time: string) => `a partir de las ${time}`,
  beforeTime: (time: string) => `antes de las ${time}`,
  betweenTimes: (from: string, to: string) => `entre las ${from} y las ${to}`,
  noBookableDays: 'Ahora mismo no hay días disponibles para reservar. Llámanos y te buscamos hueco.',
  /** `where`: the page against the first one shown ("later" times, or "earlier" ones once the later are all shown). */
  chooseTime: (service: string, date: string, where: 'first' | 'later' | 'earlier') =>
    `Horas libres para ${service} el ${date}${where === 'later' ? ' (más tarde)' : where === 'earlier' ? ' (antes)' : ''}. Elige una o escribe la hora, por ejemplo «a las 5».`,
  confirm: (service: string, date: string, time: string, duration: string, price: string, holdMinutes: number) =>
    `${service} el ${date} a las ${time} (${duration}, ${price}).\nTe guardo la hora ${counted(holdMinutes, 'es', MINUTES)}. ¿La confirmo?`,
  /** A group booking: one line per person. */
  confirmGroup: (lines: string, total: string, holdMinutes: number) =>
    `Te guardo estas citas ${counted(holdMinutes, 'es', MINUTES)}:\n${lines}\nTotal: ${total}\n¿Las confirmo?`,
  bookedGroup: (lines: string, total: string, address: string, phone: string) =>
    `✅ ¡Citas reservadas!\n${lines}\nTotal: ${total}\nOs esperamos en ${address}.\nPara cambiarlas o anularlas, escribe «mis citas». Teléfono: ${phone}.`,
  groupLine: (service: string, time: string, duration: string, price: string) =>
    `• ${service} a las ${time} (${duration}, ${price})`,
  groupDay: (date: string) => `El ${date}:`,
  booked: (service: string, date: string, time: string, price: string, address: string, phone: string) =>
    `✅ ¡Cita reservada! ${service} el ${date} a las ${time} (${price}).\nTe esperamos en ${address}.\nPara cambiarla o anularla, escribe «mis citas». Teléfono: ${phone}.`,
  oneMoment: 'Un momento, lo estoy mirando…',
  reminder: (service: string, date: string, time: string, address: string) =>
    `⏰ Recordatorio: tienes cita de ${service} el ${date} a las ${time} en ${address}. ¿Vienes?`,
  /** A time freed on a day the customer waits on, held for them for a while. */
  waitlistOffer: (service: string, date: string, time: string, minutes: number) =>
    `🔔 ¡Se ha liberado una hora! ${service} el ${date} a las ${time}. Te la guardo ${minutes} minutos: ¿la reservo?`,
  /** A service's `rebookAfterDays` after the last visit: time for the next one. */
  rebookNudge: (service: string, lastVisit: string) =>
    `✂️ ¿Repetimos? Tu último ${service} fue el ${lastVisit}. ¿Te reservo el siguiente?`,
  /** After a visit, when the shop has a review link. */
  thankYou: (shop: string, reviewUrl: string) =>
    `🙏 ¡Gracias por venir a ${shop}! Si te ha gustado, nos ayudas mucho con una reseña: ${reviewUrl}`,
  waitlistLines: (lines: string) => `En lista de espera:\n${lines}`,
  waitlistLine: (service: string, date: string, part?: string) => `${service}, ${date}${part ? ` (${part})` : ''}`,
  yourBookings: (lines: string) => `Estas son tus próximas citas:\n${lines}\n\n¿Qué quieres hacer?`,
  bookingLine: (service: string, date: string, time: string) => `${service}, ${date} a las ${time}`,
  /** An appointment's line in a chain: where it is. */
  atLocation: (line: string, location: string) => `${line}, en ${location}`,
  whichBooking: (intent: 'cancel' | 'move'): string =>
    intent === 'cancel' ? '¿Qué cita quieres anular?' : '¿Qué cita quieres cambiar?',
  confirmCancel: (booking: string) => `¿Anulo tu cita: ${booking}?`,
  moving: (booking: string) => `Vamos a cambiar tu cita (${booking}).`,
  moved: (service: string, date: string, time: string, price: string, address: string, phone: string) =>
    `✅ ¡Cita cambiada! Ahora es ${service} el ${date} a las ${time} (${price}).\nTe esperamos en ${address}.\nPara cambiarla o anularla, escribe «mis citas». Teléfono: ${phone}.`,
  /** The file the customer adds to their own calendar. */
  calendarFile: {
    caption: 'Añadir a mi calendario',
    filename: 'cita',
    summary: (service: string, shop: string) => `${service} – ${shop}`,
    description: (phone: string) => `Para cambiarla o anularla, escribe «mis citas» en WhatsApp o llama al ${phone}.`,
  },
  notes: {
    help: 'Puedes elegir en la lista o escribir lo que quieres, por ejemplo «corte mañana a las 5». Escribe «precios», «horario» o «dirección» cuando quieras, «atrás» para volver o «cancelar» para dejarlo.',
    notUnderstood: 'Perdona, no te he entendido.',
    /** At a yes-or-no question, for anything but the customer's own yes: what tapping the button does. */
    tapToConfirm: (action: 'book' | 'move' | 'cancel', button: string) =>
      `Para ${{ book: 'reservarla', move: 'cambiarla', cancel: 'anularla' }[action]}, toca «${button}».`,
    youAreWelcome: '¡A ti! Aquí estoy si necesitas algo más.',
    welcomeBack: '¡Hola de nuevo! Seguimos donde lo dejamos.',
    unknownService: 'Ese servicio no lo tenemos. Estos son los que hacemos:',
    past: (date: string) => `El ${date} ya ha pasado.`,
    closed: (date: string) => `El ${date} estamos cerrados.`,
    beyondWindow: (days: number) =>
      `Solo se puede reservar con un máximo de ${counted(days, 'es', { one: 'día', other: 'días' })} de antelación.`,
    full: (date: string) => `El ${date} ya no quedan horas libres para ese servicio.`,
    timeNotFree: (time: string) => `A las ${time} no hay hueco.`,
    barberNotFree: (barber: string, time: string) => `${barber} no tiene hueco a las ${time}.`,
    othersFree: (time: string, barbers: string, first: string) =>
      `A las ${time} está libre ${barbers}: escribe «con ${first}» y te lo guardo.`,
    barberFull: (barber: string, date: string) => `El ${date} ${barber} ya no tiene horas libres para ese servicio.`,
    barberOff: (barber: string, date: string) => `El ${date} ${barber} no trabaja.`,
    unknownBarber: (barbers: string) => `No tengo a nadie con ese nombre. En la barbería están ${barbers}.`,
    barberDoesNotDoService: (barber: string, service: string) => `${barber} no hace ${service}.`,
    unknownLocation: (locations: string) => `No tenemos ninguna barbería con ese nombre. Estamos en ${locations}.`,
    serviceNotHere: (service: string, location: string) => `En ${location} no hacemos ${service}.`,
    groupDoesNotFit: (time: string) => `A las ${time} no hay hueco para todos.`,
    groupAlone: (service: string) => `Si quieres, escribe «solo ${service}» y reservo solo esa cita.`,
    groupFull: (date: string) => `El ${date} ya no quedan horas libres para todos.`,
    noMoreTimes: 'No hay más horas libres ese día.',
    slotTaken: 'Vaya, alguien acaba de reservar esa hora.',
    tooLate: (notice: string) => `Esa hora ya está demasiado cerca: reservamos con ${notice} de antelación.`,
    calendarUnavailable:
      'No he podido guardar la cita ahora mismo; no se ha reservado nada. Prueba de nuevo en un momento.',
    staffBooks:
      'Esta cita te la confirma en persona alguien del equipo: ya tiene tu petición y te escribirá por aquí en cuanto pueda.',
    availabilityUnknown: 'Ahora mismo no puedo consultar la agenda. Prueba de nuevo en unos minutos, por favor.',
    cancelled: 'Vale, lo dejamos aquí. No he reservado nada.',
    startedOver: 'Empezamos de nuevo.',
    languageChanged: 'De acuerdo, seguimos en español.',
    noBookings: 'No tienes citas próximas.',
    bookingsUnknown: 'Ahora mismo no puedo consultar tus citas. Prueba de nuevo en unos minutos, por favor.',
    bookingCancelled: (booking: string) => `✅ Cita anulada: ${booking}.`,
    cancelTooLate: (notice: string, phone: string) =>
      `Tu cita empieza en menos de ${notice} y ya no se puede anular por aquí. Llámanos al ${phone}, por favor.`,
    cancelFailed: 'No he podido anular la cita ahora mismo; sigue reservada. Prueba de nuevo en un momento.',
    attendanceConfirmed: '¡Gracias por confirmar! Te esperamos.',
    attendanceNotRecorded: 'No he podido apuntar tu confirmación, pero tu cita sigue en pie. ¡Te esperamos!',
    personWillAnswer:
      'De acuerdo, le paso tu mensaje a una persona del equipo y te escribirá por aquí en cuanto pueda. Mientras tanto no te contestaré yo.',
    staffWillBook:
      'Gracias. Esta cita te la confirma en persona alguien del equipo: ya tiene tu petición y te escribirá por aquí en cuanto pueda.',
    botIsBack: '¡Hola de nuevo! Vuelvo a ser el asistente de citas.',
    waitlisted: (date: string) =>
      `🔔 Hecho: si se libera una hora el ${date}, te escribo y te la guardo un rato para que la reserves. Puedes verlo y salir de la lista en «mis citas».`,
    waitlistUnavailable: 'Ahora mismo no puedo apuntarte en la lista de espera. Prueba de nuevo en un momento.',
    partOfDayFull:
      'A esa hora del día ya no quedan huecos. Si quieres, escribe «avísame» y te aviso si se libera; o elige otra hora:',
    waitlistOfferGone:
      'Lo siento, esa hora ya no está guardada para ti (pasó el tiempo o ya no está libre). Sigues pudiendo reservar otra.',
    waitlistOfferDeclined: 'De acuerdo, se la ofrezco a otra persona. Te he quitado de la lista de ese día.',
    optedOut:
      'Hecho: no te escribiremos más por nuestra cuenta (ni avisos de horas libres ni recordatorios de volver). Puedes seguir escribiéndonos cuando quieras para reservar.',
    optOutNotRecorded:
      'Perdona, no he podido guardarlo ahora mismo. Escribe «no más avisos» de nuevo en un momento, por favor.',
    leftWaitlist: (date: string) => `Listo, ya no estás en la lista de espera del ${date}.`,
    callTheShop: (phone: string) =>
      `Por aquí solo te atiendo yo, el asistente de citas. Para hablar con alguien del equipo, llámanos al ${phone}.`,
  },
  info: {
    prices: 'Precios:',
    hours: 'Horario:',
    closed: 'cerrado',
    address: (name: string, address: string) => `📍 ${name}\n${address}`,
    services: 'Esto es lo que hacemos:',
    dayHours: (day: string, hours: string) => `El ${day} abrimos ${hours}.`,
    dayClosed: (day: string) => `El ${day} está cerrado.`,
    barberDayHours: (barber: string, day: string, hours: string) => `${barber} trabaja el ${day} ${hours}.`,
    barberDayOff: (barber: string, day: string) => `${barber} no trabaja el ${day}.`,
    barberWeek: (barber: string) => `Horario de ${barber}:`,
    /** "de 10:00 a 14:00 y de 16:00 a 20:00" */
    span: (from: string, to: string) => `de ${from} a ${to}`,
    servicePrice: (service: string, price: string, minutes: string) => `${service}: ${price} (${minutes}).`,
    barberDoesNot: (barber: string, service: string) => `${barber} no hace ${service}.`,
    barberPrices: (barber: string) => `Precios con ${barber}:`,
    other: (phone: string) => `Eso no lo sé responder por aquí. Llámanos al ${phone} y te lo contamos.`,
  },
  /** Above the reply to a voice note, so a misheard note is seen at once. */
  heard: (transcript: string) => `🎙️ He entendido: «${transcript}»`,
  remarks: {
    empty: 'No me ha llegado ningún texto.',
    tooLong: 'Tu mensaje es muy largo para mí. Cuéntame en pocas palabras qué necesitas.',
    unsupported: 'Solo puedo leer texto, notas de voz y botones. Escríbeme lo que necesitas, por favor.',
    voiceNotesOff: 'Ahora mismo no puedo escuchar notas de voz. ¿Me lo escribes, por favor?',
    voiceNoteUnheard: 'Perdona, no he podido escuchar bien tu nota de voz. ¿Me lo escribes, por favor?',
    photo:
      '¡Gracias por la foto! La guardo para que la vea tu barbero. Para reservar, dime el servicio y el día, por ejemplo «corte mañana a las 5».',
    sticker: '😄 Cuando quieras reservar, dime el servicio y el día, por ejemplo «corte mañana a las 5».',
    document: 'No puedo abrir documentos. Escríbeme lo que necesitas, por favor.',
    video: 'No puedo ver vídeos. Escríbeme lo que necesitas, o mándame una foto del corte que quieres.',
    contacts: 'Gracias por el contacto, pero no puedo usarlo para reservar. Escríbeme lo que necesitas, por favor.',
    conversationLost: 'Perdona, he tenido que reiniciar nuestra conversación.',
    choiceGone: 'Perdona, algo de lo que habías elegido ya no está disponible; te lo vuelvo a preguntar.',
    slowDown: 'Voy un poco lento con tantos mensajes. Dame un momento y escríbeme de nuevo.',
  },
};
