import type { Language, ShopConfig } from '../../config/schema.ts';
import { shopToday } from '../../config/schema.ts';
import type { StaffEvent, StaffEventType } from '../../machines/staff.events.ts';
import { findPhrase, fold } from './rules/text.ts';
import { whenIn } from './rules/when.ts';
import { NO, YES } from './rules/words.ts';

/** Where a staff conversation stands, as far as reading the next message needs to know. */
export interface StaffSituation {
  shop: ShopConfig;
  now: Date;
  language: Language;
  /** The options just shown, numbered in this order. */
  choices: { title: string; event: StaffEvent }[];
  accepts: ReadonlySet<StaffEventType>;
  /** Who is writing: the owner may close the whole shop, a barber only their own chair. */
  role?: 'owner' | 'barber';
  /** The staff machine state the conversation rests in, e.g. "decidingBlock". */
  step?: string;
}

// biome-ignore format: word lists read best several to a line
const WORDS = {
  agenda: ['agenda', 'citas de hoy', 'mis citas', 'que tengo', 'schedule', 'appointments', 'my day'],
  dayOff: ['no vengo', 'no voy', 'no trabajo', 'no estoy', 'dia libre', 'me cojo el dia', 'not coming', 'day off',
    'not working', 'off tomorrow'],
  close: ['cierro', 'cerramos', 'cerrar', 'cierra', 'closing', 'we close', 'close'],
  block: ['bloquear', 'bloquea', 'bloqueo', 'block', 'block out'],
  handBack: ['listo', 'devolver', 'devuelve', 'devuelvelo', 'al bot', 'hecho', 'done', 'hand back', 'back to the bot'],
  notices: ['avisos', 'aviso', 'notificaciones', 'notices', 'notifications'],
  noticesOff: ['off', 'no', 'desactivar', 'desactiva', 'fuera', 'apagar', 'quitar', 'silenciar', 'mute', 'stop'],
  noticesOn: ['on', 'si', 'activar', 'activa', 'encender', 'poner', 'unmute', 'start'],
  cancel: ['anular', 'anula', 'anulala', 'cancelar', 'cancela', 'cancelala', 'cancel', 'cancel it', 'anular y avisar'],
  move: ['cambiar', 'cambiala', 'mover', 'muevela', 'pedir cambio', 'que la cambie', 'move', 'move it', 'ask to move',
    'reschedule'],
  more: ['mas', 'mas citas', 'siguientes', 'ver mas', 'mas abajo', 'more', 'more appointments', 'next', 'next page',
    'volver al principio', 'desde el principio', 'back to the start', 'from the start'],
  noShow: ['no vino', 'no ha venido', 'no se presento', 'no aparecio', 'no ha aparecido', 'no show', 'noshow',
    "didn't come", 'didnt come', 'did not come', "didn't show", 'didnt show', 'never came', 'never showed'],
  keep: ['mantener', 'mantenlas', 'mantenerlas', 'dejalas', 'keep', 'keep them'],
  help: ['ayuda', 'help', 'menu', 'hola', 'buenas', 'hello', 'hi', 'que puedes hacer'],
} as const;

const RANGE =
  /\b(?:de|desde|entre|from|between)\s+(?:las\s+)?(\d{1,2}(?::\d{2})?\s*(?:am|pm)?)\s*(?:h\b)?\s*(?:a|hasta|y|to|and|till|until|-)\s+(?:las\s+)?(\d{1,2}(?::\d{2})?\s*(?:am|pm)?)/;

/**
 * Reads a staff member's text with rules, in Spanish or English: "agenda jueves", "bloquear de 15
 * a 16", "mañana no vengo", "cierro el sábado a las 12", "listo 34600…", "avisos off", and the
 * answers to the question just asked (a number, "sí", "no", "anular", "mantener", "no vino"). [] when nothing
 * is read: the staff member is told what they can write.
 *
 * @example
 * readStaffRules('agenda mañana', situation) // [{ type: 'SHOW_AGENDA', date: '2026-11-25' }]
 */
export function readStaffRules(text: string, situation: StaffSituation): StaffEvent[] {
  const folded = fold(text);
  if (folded.length === 0) return [];
  const number = /^(?:la |el |opcion |option )?(\d{1,2})$/.exec(folded);
  if (number) {
    const picked = situation.choices[Number(number[1]) - 1]?.event;
    return picked ? [picked] : [];
  }
  const byTitle = situation.choices.find((choice) => fold(choice.title) === folded);
  if (byTitle) return [byTitle.event];

  const phone = /(?:\+|\b)(\d[\d ]{5,18}\d)\b/.exec(text)?.[1]?.replaceAll(' ', '');
  if (phone && findPhrase(folded, WORDS.handBack)) return [{ type: 'HAND_BACK', phone }];

  if (findPhrase(folded, WORDS.notices)) {
    if (findPhrase(folded, WORDS.noticesOff)) return [{ type: 'SET_NOTICES', on: false }];
    if (findPhrase(folded, WORDS.noticesOn)) return [{ type: 'SET_NOTICES', on: true }];
  }

  const { shop, now, language } = situation;
  const today = shopToday(shop, now);
  const dayOff = findPhrase(folded, WORDS.dayOff);
  if (dayOff) {
    // The day is read without the phrase: "mañana no vengo" is not "not tomorrow".
    const rest = ` ${folded} `.replace(` ${dayOff} `, ' ').trim();
    return [{ type: 'BLOCK_TIME', date: whenIn(rest, shop, now, language).date ?? today }];
  }
  const range = RANGE.exec(text.toLowerCase());
  const closing = findPhrase(folded, WORDS.close);
  if (range || findPhrase(folded, WORDS.block) || closing) {
    const rest = range ? text.toLowerCase().replace(range[0], ' ') : text;
    const { date = today, time } = whenIn(rest, shop, now, language);
    const hour = (said: string) => whenIn(`a las ${said.trim()}`, shop, now, language, date).time;
    if (range) {
      const [from, to] = [hour(range[1]!), hour(range[2]!)];
      if (from && to) return [{ type: 'BLOCK_TIME', date, from, to }];
    }
    // "cierro a las 12": from then until closing time; "cierro el sábado": the whole day.
    if (closing) return [{ type: 'BLOCK_TIME', date, ...(time && { from: time }), wholeShop: true }];
    if (!time) return [{ type: 'BLOCK_TIME', date }];
  }

  if (findPhrase(folded, WORDS.agenda)) {
    return [{ type: 'SHOW_AGENDA', date: whenIn(text, shop, now, language).date ?? today }];
  }

  const { accepts } = situation;
  if (findPhrase(folded, WORDS.noShow) && accepts.has('MARK_NO_SHOW')) return [{ type: 'MARK_NO_SHOW' }];
  if (findPhrase(folded, WORDS.cancel)) {
    if (accepts.has('CANCEL_APPOINTMENT')) return [{ type: 'CANCEL_APPOINTMENT' }];
    if (accepts.has('CANCEL_APPOINTMENTS')) return [{ type: 'CANCEL_APPOINTMENTS' }];
  }
  if (findPhrase(folded, WORDS.more) && accepts.has('MORE_APPOINTMENTS')) return [{ type: 'MORE_APPOINTMENTS' }];
  if (findPhrase(folded, WORDS.move) && accepts.has('ASK_TO_MOVE')) return [{ type: 'ASK_TO_MOVE' }];
  if (findPhrase(folded, WORDS.keep) && accepts.has('KEEP_APPOINTMENTS')) return [{ type: 'KEEP_APPOINTMENTS' }];
  if ((YES as readonly string[]).includes(folded) && accepts.has('CONFIRM')) return [{ type: 'CONFIRM' }];
  if ([...NO, 'atras', 'volver', 'back'].includes(folded) && accepts.has('BACK')) return [{ type: 'BACK' }];
  if (folded === 'english' || folded === 'in english') return [{ type: 'SET_LANGUAGE', language: 'en' }];
  if (folded === 'espanol' || folded === 'en espanol') return [{ type: 'SET_LANGUAGE', language: 'es' }];
  if (findPhrase(folded, WORDS.help)) return [{ type: 'HELP' }];
  return [];
}
