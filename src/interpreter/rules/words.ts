import type { CustomerEvent } from '../../../machines/events.ts';

/**
 * The words and phrases the rule parser knows, folded (lower case, no accents). Each list maps
 * to one machine event; a message is matched as whole words.
 */

/** Said alone (or nearly) to agree. Repeated letters are squeezed before matching ("siii", "okk"). */
// biome-ignore format: word lists read best several to a line
export const YES = [
  'si', 'sip', 'vale', 'dale', 'claro', 'ok', 'okay', 'okey', 'okis', 'perfecto', 'de acuerdo', 'confirmo',
  'confirmar', 'confirmala', 'confirmalo', 'adelante', 'genial', 'correcto', 'eso es', 'por supuesto', 'venga',
  'venga va', 'ta bien', 'esta bien', 'sale', 'de una', 'hecho', 'reservala', 'yes', 'yep', 'yup', 'yeah', 'sure',
  'confirm', 'go ahead', 'sounds good', 'great', 'perfect', 'of course', 'please do', 'that works', 'book it', 'y',
];

/** Asking for someone from the shop, or complaining: a person takes the conversation over. */
// biome-ignore format: word lists read best several to a line
export const ASK_FOR_PERSON = [
  'hablar con', 'con una persona', 'con alguien', 'persona real', 'con el dueno', 'con la duena', 'con el jefe',
  'con el encargado', 'con la encargada', 'un humano', 'con un humano', 'queja', 'quejarme', 'reclamacion', 'reclamar',
  'hoja de reclamaciones', 'speak to', 'speak with', 'talk to a', 'talk to someone', 'talk with', 'a human',
  'real person', 'the owner', 'the manager', 'complaint', 'complain',
];

/** Said alone (or nearly) to disagree. */
export const NO = [
  'no',
  'nop',
  'nope',
  'mejor no',
  'no gracias',
  'no espera',
  'espera',
  'nah',
  'no thanks',
  'wait',
  'n',
];

/** Said to thank; with nothing else to answer, the bot says "you're welcome". */
export const THANKS = ['gracias', 'muchas gracias', 'mil gracias', 'thanks', 'thank you', 'thx', 'cheers', 'ty', 'ta'];

/**
 * Said to take leave ("see you tomorrow", "hasta el jueves", "nos vemos"): a day in a goodbye is
 * the appointment already made, not one to book. Answered like a thanks.
 */
// biome-ignore format: word lists read best several to a line
export const FAREWELLS = [
  'see you', 'see ya', 'see u', 'cya', 'bye', 'goodbye', 'bye bye', 'take care', 'until then', 'til then', 'hasta luego',
  'hasta manana', 'hasta el', 'hasta pronto', 'hasta entonces', 'nos vemos', 'adios', 'chao', 'chau', 'un saludo',
  'saludos', 'a ver si', 'alli estare', 'alli estaremos', 'ahi estare', "i'll be there", 'ill be there',
];

/** Words of greetings, thanks and goodbyes: never one typo from a service ("hiya" is not "hija"). */
// biome-ignore format: word lists read best several to a line
export const EVERYDAY_WORDS = [
  'hiya', 'heya', 'hiyah', 'mate', 'hola', 'ola', 'hello', 'hey', 'buenas', 'wenas', 'gracias', 'thanks', 'cheers',
  'bye', 'chao', 'adios', 'guys', 'folks', 'tio', 'tia', 'bro', 'hijo', 'hija',
];

/** Words around an answer that do not change it ("sí, gracias", "ok please"). */
export const FILLERS = [
  'gracias',
  'muchas',
  'thanks',
  'thank',
  'you',
  'please',
  'por',
  'favor',
  'porfa',
  'pls',
  'tio',
  'sorry',
  'perdona',
  'perdon',
];

/** Longest phrases first are tried first, so "cambiar la hora" wins over "cambiar". */
// biome-ignore format: word lists read best several to a line
export const COMMANDS: [phrases: string[], event: CustomerEvent][] = [
  [['no entiendo', 'no te entiendo', 'no se que hacer', "i don't understand", 'i dont understand'], { type: 'HELP' }],
  [
    ['cancelar', 'cancela', 'cancelalo', 'anular', 'anula', 'dejalo', 'olvidalo', 'ya no quiero', 'no quiero reservar',
      'no quiero', 'stop', 'cancel', 'forget it', 'never mind', 'nevermind'],
    { type: 'CANCEL' },
  ],
  [
    ['empezar de nuevo', 'empezar otra vez', 'volver a empezar', 'reiniciar', 'desde el principio', 'start over',
      'restart', 'start again'],
    { type: 'RESTART' },
  ],
  [['atras', 'volver', 'vuelve', 'back', 'go back'], { type: 'BACK' }],
  [['ayuda', 'help', 'como funciona', 'how does this work'], { type: 'HELP' }],
  [['mas servicios', 'otros servicios', 'more services', 'other services'], { type: 'MORE_SERVICES' }],
  [
    ['mas horas', 'mas tarde', 'otras horas', 'siguientes', 'nada mas tarde', 'more times', 'later', 'other times',
      'anything later', 'more'],
    { type: 'MORE_TIMES' },
  ],
  [
    ['otro dia', 'cambiar el dia', 'cambiar dia', 'otra fecha', 'another day', 'different day', 'change the day',
      'change day'],
    { type: 'CHANGE', step: 'date' },
  ],
  [
    ['otra hora', 'cambiar la hora', 'cambiar hora', 'esa hora no', 'no me viene bien esa hora', 'no me va esa hora',
      'another time', 'different time', 'change the time', 'change time'],
    { type: 'CHANGE', step: 'time' },
  ],
  [
    ['otro servicio', 'cambiar el servicio', 'cambiar servicio', 'another service', 'change the service',
      'change service'],
    { type: 'CHANGE', step: 'service' },
  ],
  [
    ['otra cita', 'reservar otra', 'book another', 'another appointment', 'quiero reservar', 'reservar', 'pedir cita',
      'quiero una cita', 'quiero cita', 'i want to book', 'book an appointment', 'i need an appointment', 'book'],
    { type: 'BOOK_ANOTHER' },
  ],
];

// biome-ignore format: word lists read best several to a line
export const INFO: [phrases: string[], event: CustomerEvent][] = [
  [
    ['precio', 'precios', 'cuanto cuesta', 'cuanto vale', 'cuanto es', 'cuanto cobrais', 'cuanto cobras',
      'cuanto me cobras', 'cuanto sale', 'tarifa', 'tarifas', 'price', 'prices', 'how much', 'cost', 'costs',
      'cuanto cobra', 'cuanto cobran', 'cuanto me cobra', 'cuanto me cobran', 'cuanto me sale', 'que precio', 'charge', 'cuanto seria', 'cuanto costaria'],
    { type: 'ASK_INFO', topic: 'prices' },
  ],
  [
    ['horario', 'horarios', 'a que hora abris', 'cuando abris', 'a que hora cerrais', 'hasta que hora', 'abris',
      'cerrais', 'estais abiertos', 'hours', 'opening hours', 'when are you open', 'are you open', 'what time do you open',
      'what time do you close', 'abren', 'cierran', 'abris', 'a que hora abre', 'a que hora cierra', 'abierto',
      'abiertos', 'you open', 'you close'],
    { type: 'ASK_INFO', topic: 'hours' },
  ],
  [
    ['direccion', 'donde estais', 'donde esta', 'donde estan', 'ubicacion', 'como llego', 'que calle', 'address',
      'where are you', 'location', 'where is it', 'get there'],
    { type: 'ASK_INFO', topic: 'address' },
  ],
  [
    ['servicios', 'que servicios', 'que haceis', 'haceis', 'que ofreceis', 'services', 'what do you do',
      'what do you offer', 'do you do', 'cuanto tarda', 'cuanto dura', 'how long'],
    { type: 'ASK_INFO', topic: 'services' },
  ],
];

// biome-ignore format: word lists read best several to a line
export const GREETINGS = [
  'hola', 'ola', 'buenas', 'wenas', 'buenos dias', 'buenas tardes', 'buenas noches', 'que tal', 'hey', 'hi', 'hello',
  'good morning', 'good afternoon', 'good evening', 'hiya', 'heya', 'howdy', 'hola buenas', 'hey there', 'hi there',
];

// biome-ignore format: word lists read best several to a line
export const LANGUAGE_REQUESTS: [phrases: string[], event: CustomerEvent][] = [
  [
    ['english', 'in english', 'ingles', 'en ingles', 'speak english', 'hablas ingles', 'habla ingles'],
    { type: 'SET_LANGUAGE', language: 'en' },
  ],
  [
    ['espanol', 'en espanol', 'spanish', 'in spanish', 'castellano', 'speak spanish', 'hablas espanol'],
    { type: 'SET_LANGUAGE', language: 'es' },
  ],
];

/** Words that only one of the two languages uses often: enough to tell which one a customer writes. */
// biome-ignore format: word lists read best several to a line
export const LANGUAGE_MARKERS = {
  en: [
    'hi', 'hello', 'please', 'tomorrow', 'today', 'yes', 'thanks', 'thank', 'book', 'appointment', 'haircut', 'would',
    'like', 'want', 'i', 'im', "i'd", "i'm", 'what', 'when', 'where', 'how', 'much', 'at', 'the', 'on', 'for', 'my',
    'can', 'next', 'morning', 'afternoon', 'beard', 'trim', 'cut', 'time', 'day', 'show', 'is', 'are', 'you',
    'need', 'shave', 'anyone', 'hiya', 'mate', 'cheers', 'see', 'bye', 'with', 'and', 'to', 'it', 'get', 'could',
    'got', 'free', 'any', 'there', 'your', 'we', 'work', 'works', 'open', 'do', 'does', 'of', 'tonight',
  ],
  es: [
    'hola', 'quiero', 'quisiera', 'cita', 'manana', 'hoy', 'si', 'gracias', 'que', 'cuando', 'donde', 'cuanto', 'por',
    'favor', 'buenas', 'buenos', 'reservar', 'corte', 'pelo', 'barba', 'las', 'el', 'la', 'de', 'un', 'una', 'para',
    'mejor', 'hora', 'dia', 'tarde', 'vale', 'es', 'mi', 'tienes', 'hay', 'necesito', 'puedo', 'tengo', 'con', 'los',
    'del', 'al', 'abren', 'cobra', 'hueco', 'puedes', 'gustaria', 'y', 'lo', 'nos', 'vemos', 'hasta', 'sabado',
  ],
} as const;

/**
 * The customer's own appointments, said so: "mi cita", "tengo una cita", "my booking". "La cita" and
 * "the appointment" alone may be the one being booked ("book the appointment for Friday"): they
 * name an appointment already made only with a verb that cancels or moves it.
 */
// biome-ignore format: word lists read best several to a line
export const MY_BOOKING = [
  'mi cita', 'mis citas', 'mi reserva', 'mis reservas', 'tengo cita', 'tengo alguna cita', 'tengo una cita',
  'tengo la cita', 'my appointment', 'my appointments', 'my booking', 'my bookings',
];
export const THE_BOOKING = ['la cita', 'la reserva', 'esa cita', 'the appointment', 'the booking', 'that appointment'];
export const CANCEL_VERBS = ['cancelar', 'cancela', 'anular', 'anula', 'cancel', 'delete'];
// biome-ignore format: word lists read best several to a line
export const MOVE_VERBS = [
  'cambiar', 'cambia', 'cambias', 'mover', 'mueve', 'mueves', 'aplazar', 'retrasar', 'adelantar', 'reprogramar', 'change', 'move',
  'reschedule', 'postpone',
];
/** Said without naming the appointment, still clearly about moving one. */
export const MOVE_ALONE = ['reprogramar', 'reschedule', 'aplazar mi cita'];

/** "No más avisos": no more messages cita starts on its own, anywhere in a message. */
export const STOP_MESSAGES = [
  'no mas avisos',
  'no mas mensajes',
  'no me escribais mas',
  'no me escribas mas',
  'darme de baja',
  'dame de baja',
  'dadme de baja',
  'unsubscribe',
  'no more messages',
  'stop messages',
  'stop messaging',
];

/** The whole message "stop" or "baja": an opt-out when nothing is in progress ("stop" mid-booking cancels it). */
export const STOP_ALONE = ['stop', 'baja'];

/** "Avísame si se libera": wait on the full day's list (read only where the machine offers it). */
export const NOTIFY_ME = [
  'avisame',
  'aviseme',
  'avisadme',
  'apuntame en la lista',
  'lista de espera',
  'notify me',
  'let me know if',
  'waitlist',
  'waiting list',
];

/** Words for a child: a service for one names the shop's kids' service when there is one ("un corte para el crío"). */
// biome-ignore format: a word list
export const CHILDREN = [
  'hijo', 'hija', 'nino', 'nina', 'hijos', 'crio', 'cria', 'crios', 'nene', 'nena', 'peque', 'chiquillo', 'chiquilla',
  'son', 'daughter', 'kid', 'child', 'boy', 'girl', 'little one', 'lad',
];

/** Things a shop may sell: asked about, they are a question for the shop, not a service ("¿tenéis productos para el pelo?"). */
// biome-ignore format: a word list
export const PRODUCTS = [
  'producto', 'productos', 'champu', 'cera', 'ceras', 'gomina', 'laca', 'gel', 'aceite', 'aceites', 'pomada',
  'crema', 'cremas', 'acondicionador', 'after shave', 'aftershave', 'colonia', 'maquinilla', 'cuchillas',
  'product', 'products', 'shampoo', 'conditioner', 'wax', 'pomade', 'hair gel', 'beard oil', 'balm', 'razor', 'razors',
];
