import { DateTime } from 'luxon';
import { barberById, type Language, type ShopConfig, serviceById, shopToday } from '../../config/schema.ts';
import type { AgendaEntry, ResolvedBlock, StaffContext, StaffNote } from '../../machines/staff.context.ts';
import { AGENDA_ROWS_PER_PAGE, agendaPages, pickedAppointment } from '../../machines/staff.machine.ts';
import { quotedCustomerName } from './customer-name.ts';
import { localTime, longDate, shortDate } from './format.ts';
import { STAFF_COPY, type StaffCopy } from './staff-copy.ts';
import { staffReplyIdFor } from './staff-reply-ids.ts';
import { LIMITS, type ListRow, type OutboundMessage, shorten } from './whatsapp.ts';

/** A staff conversation as its views see it. */
export interface StaffConversation {
  state: string;
  context: StaffContext;
}

type StaffView = (conversation: StaffConversation, shop: ShopConfig, copy: StaffCopy) => OutboundMessage;

const waiting: StaffView = (_c, _shop, copy) => ({ kind: 'text', body: copy.oneMoment });

/** What each state of the staff machine shows. */
export const STAFF_VIEWS = {
  menu: ({ context }, shop, copy) => {
    const today = shopToday(shop, now(context));
    const tomorrow = DateTime.fromISO(today).plus({ days: 1 }).toISODate()!;
    return {
      kind: 'buttons',
      body: copy.menu(context.name),
      buttons: [
        { id: staffReplyIdFor({ type: 'SHOW_AGENDA', date: today }), title: copy.buttons.agendaToday },
        { id: staffReplyIdFor({ type: 'SHOW_AGENDA', date: tomorrow }), title: copy.buttons.agendaTomorrow },
        { id: staffReplyIdFor({ type: 'HELP' }), title: copy.buttons.help },
      ],
    };
  },
  lookingUpAgenda: waiting,
  showingAgenda: ({ context }, shop, copy) => {
    const day = longDate(context.date!, context.language);
    if (context.agenda.length === 0) {
      return {
        kind: 'buttons',
        body: copy.emptyAgenda(day),
        buttons: [{ id: staffReplyIdFor({ type: 'BACK' }), title: copy.buttons.back }],
      };
    }
    const pages = agendaPages(context);
    const first = context.agendaPage * AGENDA_ROWS_PER_PAGE;
    const page = context.agenda.slice(first, first + AGENDA_ROWS_PER_PAGE);
    const rows: ListRow[] = page.map((entry) => agendaRow(entry, context, shop, copy));
    // A day of one page is read whole; past that, the body lists the rows it comes with.
    let lines = agendaLines(page, context, shop, copy);
    if (pages > 1) {
      const total = context.agenda.length;
      lines = `${copy.agendaPage(first + 1, first + page.length, total)}\n${lines}`;
      const last = context.agendaPage === pages - 1;
      const next = first + AGENDA_ROWS_PER_PAGE;
      rows.push({
        id: staffReplyIdFor({ type: 'MORE_APPOINTMENTS' }),
        title: last ? copy.buttons.firstAppointments : copy.buttons.moreAppointments,
        description: last
          ? copy.buttons.firstAppointmentsDescription
          : copy.buttons.moreAppointmentsDescription(next + 1, Math.min(next + AGENDA_ROWS_PER_PAGE, total)),
      });
    }
    return {
      kind: 'list',
      body: shorten(copy.agenda(day, lines), LIMITS.interactiveBody),
      button: copy.buttons.appointments,
      sections: [{ rows }],
    };
  },
  // Once it has started, "ask to move" is late and "no-show" is what may be needed (three buttons at most).
  choosingAction: ({ context }, shop, copy) => {
    const picked = pickedAppointment(context)!;
    const started = Date.parse(picked.start) <= now(context).getTime();
    return {
      kind: 'buttons',
      body: copy.appointment(entryLine(picked, shop, context.language, copy, true, true)),
      buttons: [
        ...(started ? [{ id: staffReplyIdFor({ type: 'MARK_NO_SHOW' }), title: copy.buttons.noShow }] : []),
        { id: staffReplyIdFor({ type: 'CANCEL_APPOINTMENT' }), title: copy.buttons.cancelAndTell },
        ...(started ? [] : [{ id: staffReplyIdFor({ type: 'ASK_TO_MOVE' }), title: copy.buttons.askToMove }]),
        { id: staffReplyIdFor({ type: 'BACK' }), title: copy.buttons.back },
      ],
    };
  },
  confirmingNoShow: ({ context }, shop, copy) => ({
    kind: 'buttons',
    body: copy.confirmNoShow(entryLine(pickedAppointment(context)!, shop, context.language, copy, true, true)),
    buttons: [
      { id: staffReplyIdFor({ type: 'CONFIRM' }), title: copy.buttons.yesNoShow },
      { id: staffReplyIdFor({ type: 'BACK' }), title: copy.buttons.no },
    ],
  }),
  markingNoShow: waiting,
  askingToMove: waiting,
  confirmingCancellation: ({ context }, shop, copy) => ({
    kind: 'buttons',
    body: copy.confirmCancel(entryLine(pickedAppointment(context)!, shop, context.language, copy, true, true)),
    buttons: [
      { id: staffReplyIdFor({ type: 'CONFIRM' }), title: copy.buttons.yesCancel },
      { id: staffReplyIdFor({ type: 'BACK' }), title: copy.buttons.no },
    ],
  }),
  cancellingAppointment: waiting,
  checkingBlock: waiting,
  confirmingBlock: ({ context }, shop, copy) => ({
    kind: 'buttons',
    body: copy.confirmBlock(blockWhen(context.resolvedBlock!, context.language, copy), closesShop(context, shop)),
    buttons: [
      { id: staffReplyIdFor({ type: 'CONFIRM' }), title: copy.buttons.yesBlock },
      { id: staffReplyIdFor({ type: 'BACK' }), title: copy.buttons.dontBlock },
    ],
  }),
  decidingBlock: ({ context }, shop, copy) => ({
    kind: 'buttons',
    body: shorten(
      copy.blockInside(
        blockWhen(context.resolvedBlock!, context.language, copy),
        context.affected.map((entry) => `• ${entryLine(entry, shop, context.language, copy, false)}`).join('\n'),
      ),
      LIMITS.interactiveBody,
    ),
    buttons: [
      { id: staffReplyIdFor({ type: 'KEEP_APPOINTMENTS' }), title: copy.buttons.keepThem },
      { id: staffReplyIdFor({ type: 'CANCEL_APPOINTMENTS' }), title: copy.buttons.cancelThem },
      { id: staffReplyIdFor({ type: 'BACK' }), title: copy.buttons.dontBlock },
    ],
  }),
  blockingTime: waiting,
  handingBack: waiting,
  settingNotices: waiting,
} satisfies Record<string, StaffView>;

/** The staff member's turn: what the machine noted, then the current step. */
export function renderStaffReplies(conversation: StaffConversation, shop: ShopConfig, remarks: string[] = []) {
  const copy = STAFF_COPY[conversation.context.language];
  const said = [
    ...remarks,
    ...conversation.context.notes.map((note) => staffNoteText(note, conversation, copy, shop)),
  ].filter((text) => text.length > 0);
  const view = STAFF_VIEWS[conversation.state as keyof typeof STAFF_VIEWS] ?? STAFF_VIEWS.menu;
  const step = view(conversation, shop, copy);
  const preface = said.join('\n\n');
  if (preface && preface.length + step.body.length + 2 <= LIMITS.interactiveBody) {
    return [{ ...step, body: `${preface}\n\n${step.body}` }] as OutboundMessage[];
  }
  return [...(preface ? [{ kind: 'text' as const, body: shorten(preface, LIMITS.textBody) }] : []), step];
}

/** The staff step's question alone: its options are what a bare number picks. */
export function staffStepView(conversation: StaffConversation, shop: ShopConfig): OutboundMessage {
  const view = STAFF_VIEWS[conversation.state as keyof typeof STAFF_VIEWS] ?? STAFF_VIEWS.menu;
  return view(conversation, shop, STAFF_COPY[conversation.context.language]);
}

function staffNoteText(
  note: StaffNote,
  { state, context }: StaffConversation,
  copy: StaffCopy,
  shop: ShopConfig,
): string {
  switch (note.kind) {
    // At a yes-or-no question, whatever was not the staff member's own yes (a model's reading of
    // "venga, dale", or nonsense) gets what the button does: the question below names it.
    case 'notUnderstood':
      if (state === 'confirmingCancellation') return copy.notes.tapToConfirm(copy.buttons.yesCancel);
      if (state === 'confirmingBlock') return copy.notes.tapToConfirm(copy.buttons.yesBlock);
      if (state === 'confirmingNoShow') return copy.notes.tapToConfirm(copy.buttons.yesNoShow);
      return copy.notes.notUnderstood;
    case 'help':
      return copy.help;
    case 'appointmentCancelled':
      return copy.notes.appointmentCancelled(
        note.customer ? quotedCustomerName(note.customer) : copy.unknownCustomer,
        copy.delivery[note.delivery],
      );
    case 'moveAsked':
      return copy.notes.moveAsked(
        note.customer ? quotedCustomerName(note.customer) : copy.unknownCustomer,
        copy.delivery[note.delivery],
      );
    case 'noShowMarked':
      return copy.notes.noShowMarked(
        note.customer ? quotedCustomerName(note.customer) : copy.unknownCustomer,
        note.noShows,
        shop.noShows?.windowDays,
      );
    case 'timeBlocked':
      return copy.notes.timeBlocked(blockWhen(note.block, context.language, copy), note.cancelled, note.notTold);
    case 'handedBack':
      return note.wasWithStaff ? copy.notes.handedBack : copy.notes.notWithStaff;
    case 'noticesSet':
      return note.on ? copy.notes.noticesOn : copy.notes.noticesOff;
    default:
      return copy.notes[note.kind];
  }
}

/**
 * The day's appointments in order; the owner's grouped by barber (a shop without barbers in its
 * config is one chair, one group).
 */
function agendaLines(entries: AgendaEntry[], context: StaffContext, shop: ShopConfig, copy: StaffCopy): string {
  const line = (entry: AgendaEntry) => `• ${entryLine(entry, shop, context.language, copy, false)}`;
  if (!groupedByBarber(context)) return entries.map(line).join('\n');
  // The agenda comes a barber at a time (src/staff/steps.ts), so a page holds whole groups or parts of them.
  const barbers = [...new Set(entries.map((entry) => entry.barberId))];
  const group = (barber: string | undefined) => [
    copy.barberHeading(barberName(shop, barber)),
    ...entries.filter((e) => e.barberId === barber).map(line),
  ];
  return barbers.map((barber) => group(barber).join('\n')).join('\n\n');
}

/** The owner's agenda of a day when more than one barber has appointments. */
function groupedByBarber(context: StaffContext): boolean {
  return context.role === 'owner' && new Set(context.agenda.map((entry) => entry.barberId)).size > 1;
}

/** A barber's name as the shop's barbers spell it, else as its staff list does, else their id. */
function barberName(shop: ShopConfig, barberId: string | undefined): string {
  return (
    barberById(shop, barberId)?.name ??
    shop.staff.find((member) => member.barberId === barberId)?.name ??
    barberId ??
    shop.name
  );
}

/** One appointment's row; the owner's name the barber too, when the day has several. */
function agendaRow(entry: AgendaEntry, context: StaffContext, shop: ShopConfig, copy: StaffCopy): ListRow {
  const service = serviceById(shop, entry.serviceId)?.name[context.language] ?? entry.serviceName ?? entry.serviceId;
  const barber = groupedByBarber(context) ? ` · ${barberName(shop, entry.barberId)}` : '';
  return {
    id: staffReplyIdFor({ type: 'PICK_APPOINTMENT', appointmentId: entry.id }),
    title: shorten(`${localTime(entry.start, shop.timezone)} ${customerOf(entry, copy)}`, LIMITS.rowTitle),
    description: shorten(`${service}${barber} · +${entry.phone}`, LIMITS.rowDescription),
  };
}

/**
 * "10:00 · Carlos · Corte de pelo", with the day when `withDay`, and the barber when `withBarber`
 * (one appointment on its own, out of the agenda's barber headings).
 */
function entryLine(
  entry: AgendaEntry,
  shop: ShopConfig,
  language: Language,
  copy: StaffCopy,
  withDay: boolean,
  withBarber = false,
): string {
  const name = serviceById(shop, entry.serviceId)?.name[language] ?? entry.serviceName ?? entry.serviceId;
  const barber = withBarber ? barberById(shop, entry.barberId)?.name : undefined;
  const service = barber ? `${name} · ${barber}` : name;
  const time = localTime(entry.start, shop.timezone);
  const when = withDay
    ? `${shortDate(DateTime.fromISO(entry.start, { zone: shop.timezone }).toISODate()!, language)} ${time}`
    : time;
  return copy.agendaLine(when, customerOf(entry, copy), service);
}

/** The customer's profile name in quotes (their words, not cita's), or "Cliente" when they gave none. */
function customerOf(entry: AgendaEntry, copy: StaffCopy): string {
  const name = entry.customerName ? quotedCustomerName(entry.customerName) : copy.unknownCustomer;
  return entry.optedOut ? `${name} 🔕` : name;
}

/** Whether the block asked about closes every chair of a shop that has several (src/staff/steps.ts, chairOf). */
function closesShop(context: StaffContext, shop: ShopConfig): boolean {
  const wholeShop = context.block?.wholeShop === true && context.role === 'owner';
  return shop.barbers.length > 0 && (wholeShop || context.barberId === undefined);
}

function blockWhen(block: ResolvedBlock, language: Language, copy: StaffCopy): string {
  return copy.blockWhen(longDate(block.date, language), block.from, block.to);
}

function now(context: StaffContext): Date {
  return context.receivedAt ? new Date(context.receivedAt) : new Date(0);
}
