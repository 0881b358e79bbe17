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
  },
  today: 'Hoy',
  tomorrow: 'Mañana',
  minutes: (n: number) => `${n} min`,
  greeting: 'Cuando quieras reservar, escríbeme o pulsa el botón.',
  chooseService: (shop: string) => `¡Hola! Soy el asistente de citas de ${shop} ✂️\n¿Qué servicio quieres reservar?`,
  chooseDate: (service: string, time?: string) =>
    `${service}, perfecto. ¿Qué día te viene bien${time ? ` (a las ${time})` : ''}? Elige uno o escríbelo, por ejemplo «el viernes».`,
  noBookableDays: 'Ahora mismo no hay días disponibles para reservar. Llámanos y te buscamos hueco.',
  chooseTime: (service: string, date: string, page: number) =>
    `Horas libres para ${service} el ${date}${page > 0 ? ' (más tarde)' : ''}. Elige una o escribe la hora, por ejemplo «a las 5».`,
  confirm: (service: string, date: string, time: string, duration: string, price: string, holdMinutes: number) =>
    `${service} el ${date} a las ${time} (${duration}, ${price}).\nTe guardo la hora ${holdMinutes} minutos. ¿La confirmo?`,
  booked: (service: string, date: string, time: string, address: string) =>
    `✅ ¡Cita reservada! ${service} el ${date} a las ${time}.\nTe esperamos en ${address}.`,
  oneMoment: 'Un momento, lo estoy mirando…',
  notes: {
    help: 'Puedes elegir en la lista o escribir lo que quieres, por ejemplo «corte mañana a las 5». Escribe «precios», «horario» o «dirección» cuando quieras, «atrás» para volver o «cancelar» para dejarlo.',
    notUnderstood: 'Perdona, no te he entendido.',
    unknownService: 'Ese servicio no lo tenemos. Estos son los que hacemos:',
    past: (date: string) => `El ${date} ya ha pasado.`,
    closed: (date: string) => `El ${date} estamos cerrados.`,
    beyondWindow: (days: number) => `Solo se puede reservar con un máximo de ${days} días de antelación.`,
    full: (date: string) => `El ${date} ya no quedan horas libres para ese servicio.`,
    timeNotFree: (time: string) => `A las ${time} no hay hueco.`,
    noMoreTimes: 'No hay más horas libres ese día.',
    slotTaken: 'Vaya, alguien acaba de reservar esa hora.',
    tooLate: (notice: string) => `Esa hora ya está demasiado cerca: reservamos con ${notice} de antelación.`,
    calendarUnavailable:
      'No he podido guardar la cita ahora mismo; no se ha reservado nada. Prueba de nuevo en un momento.',
    availabilityUnknown: 'Ahora mismo no puedo consultar la agenda. Prueba de nuevo en unos minutos, por favor.',
    cancelled: 'Vale, lo dejamos aquí. No he reservado nada.',
    startedOver: 'Empezamos de nuevo.',
    languageChanged: 'De acuerdo, seguimos en español.',
    bookingStays: (phone: string) => `Tu cita sigue reservada. Si necesitas anularla, llámanos al ${phone}.`,
  },
  info: {
    prices: 'Precios:',
    hours: 'Horario:',
    closed: 'cerrado',
    address: (name: string, address: string) => `📍 ${name}\n${address}`,
    services: 'Esto es lo que hacemos:',
  },
  remarks: {
    empty: 'No me ha llegado ningún texto.',
    tooLong: 'Tu mensaje es muy largo para mí. Cuéntame en pocas palabras qué necesitas.',
    unsupported: 'Solo puedo leer texto y botones. Escríbeme lo que necesitas, por favor.',
    conversationLost: 'Perdona, he tenido que reiniciar nuestra conversación.',
    slowDown: 'Voy un poco lento con tantos mensajes. Dame un momento y escríbeme de nuevo.',
  },
};
