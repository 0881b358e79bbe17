import type { ShopConfig, StaffMember } from '../../config/schema.ts';
import { barberById, serviceById } from '../../config/schema.ts';
import { isUserId } from '../../machines/customer-id.ts';
import {
  type Appointment,
  type Clock,
  type ConversationStore,
  type Messenger,
  type NoticeSettings,
  OutsideCustomerWindow,
  type Turn,
} from '../engine/ports.ts';
import { log, phoneRef } from '../log.ts';
import { quotedCustomerName } from '../messages/customer-name.ts';
import { localDate, localTime, longDate } from '../messages/format.ts';
import { STAFF_COPY } from '../messages/staff-copy.ts';
import { staffReplyIdFor } from '../messages/staff-reply-ids.ts';
import { COPY } from '../messages/views.ts';
import { LIMITS, type OutboundMessage, shorten } from '../messages/whatsapp.ts';
import type { CitaMetrics } from '../metrics/registry.ts';
import { windowOf } from './window.ts';

export type BookingChange = 'booked' | 'moved' | 'cancelled';

/** "Ana (+34600…)", or for a customer with a WhatsApp username and no phone, "Ana (@ana)" / "Ana". */
function customerLabel(name: string, customer: string, username?: string): string {
  if (!isUserId(customer)) return `${name} (+${customer})`;
  return username ? `${name} (@${username.replace(/^@/, '')})` : name;
}

/** What the shop's staff are told about, as it happens. */
export interface StaffNotices {
  /**
   * An appointment was booked, moved or cancelled: the barber concerned and the owner hear of it,
   * except the staff member who did it (`except`).
   */
  bookingChanged(
    change: BookingChange,
    /** Several: a group booked with one yes, told in one notice per staff phone. */
    appointments: Appointment | Appointment[],
    options?: { except?: string },
  ): Promise<void>;
  /** A customer asked for a person (or the bot failed them three times): every staff member hears of it. */
  customerWantsPerson(customer: {
    phone: string;
    name?: string;
    username?: string;
    language: string;
    turns: Turn[];
  }): Promise<void>;
  /**
   * A customer the shop books for itself (over its no-show limit) asked for an appointment: every
   * staff member hears of it, with what was asked, how to write to them and how to hand them back.
   */
  bookingForStaff(request: {
    phone: string;
    name?: string;
    username?: string;
    /** What the customer asked for (several: a group), as it would have been booked. */
    appointments: Pick<Appointment, 'serviceId' | 'serviceName' | 'start' | 'barberId'>[];
    noShows: number;
    windowDays: number;
  }): Promise<void>;
  /**
   * WhatsApp took a message of the shop's to a customer (a cancellation, a request to move) and
   * failed to deliver it: the staff member who asked for it (the owners, when unknown) hears of it.
   */
  customerNotReached(appointment: Appointment, staffPhone?: string): Promise<void>;
  /** A reply to a customer was refused: their 24-hour window had closed, and replies have no template. */
  customerWindowClosed(phone: string): Promise<void>;
  /** WhatsApp refuses one of the shop's templates (missing, paused, disabled): the owners hear of it. */
  templateRefused(name: string, details: string): Promise<void>;
  /**
   * WhatsApp refused the shop's access token (190) from `since` (ISO) until a message just went
   * through: the owners hear that the answers of that time were not sent.
   */
  tokenRefused(since: string): Promise<void>;
}

export interface StaffNoticeDependencies {
  shop: ShopConfig;
  clock: Clock;
  conversations: ConversationStore;
  messenger: Messenger;
  settings: NoticeSettings;
  metrics?: CitaMetrics;
}

type NoticeKind = BookingChange | 'handoff' | 'undelivered';
type Outcome = 'sent' | 'template' | 'not_sent' | 'muted' | 'failed';

/**
 * Notices to staff phones. Inside WhatsApp's 24-hour window (the staff member wrote to cita in the
 * last day) a notice is a text, or buttons; outside it only a template is delivered, so it goes
 * as the template named in `notices.template`, or, without one, is counted and logged as not
 * sent. Muted phones ("avisos off") get no booking notices; a customer waiting for a person is
 * announced to everyone regardless, since someone has to answer them.
 *
 * @example
 * const notices = staffNotices({ shop, clock, conversations, messenger, settings });
 * await notices.bookingChanged('booked', appointment);
 */
export function staffNotices(deps: StaffNoticeDependencies): StaffNotices {
  const { shop } = deps;

  async function tell(
    member: StaffMember,
    kind: NoticeKind,
    message: (language: 'es' | 'en') => OutboundMessage & { kind: 'text' | 'buttons' },
  ): Promise<void> {
    const outcome = await deliver(member, kind, message).catch((error) => {
      log.warn({ event: 'staff.notice_failed', kind, phoneRef: phoneRef(member.phone), error: String(error) });
      return 'failed' as const;
    });
    deps.metrics?.staffNotices.inc({ kind, outcome });
    log.info({ event: 'staff.notice', kind, outcome, phoneRef: phoneRef(member.phone) }, 'staff notice');
  }

  async function deliver(
    member: StaffMember,
    kind: NoticeKind,
    message: (language: 'es' | 'en') => OutboundMessage & { kind: 'text' | 'buttons' },
  ): Promise<Outcome> {
    if (kind !== 'handoff' && kind !== 'undelivered' && (await deps.settings.isMuted(member.phone))) return 'muted';
    const window = await windowOf(deps.conversations, member.phone, deps.clock());
    const language = member.language ?? window.language ?? shop.languages.default;
    if (window.open) {
      try {
        await deps.messenger.send(member.phone, [message(language)], undefined, { purpose: 'staffNotice' });
        return 'sent';
      } catch (error) {
        // WhatsApp knows the window better than the last message we saw (131047).
        if (!(error instanceof OutsideCustomerWindow)) throw error;
      }
    }
    const template = shop.notices.template;
    if (!template) return 'not_sent';
    const inner = message(language);
    await deps.messenger.send(
      member.phone,
      [
        {
          kind: 'template',
          name: template.name,
          language: template.language,
          body: shorten(inner.body, LIMITS.interactiveBody),
          // Template parameters may not hold line breaks (WhatsApp refuses them).
          parameters: [shorten(inner.body.replace(/\s*\n+\s*/g, ' · '), 900)],
          buttons: inner.kind === 'buttons' ? inner.buttons.slice(0, 1) : [],
        },
      ],
      undefined,
      { purpose: 'staffNotice' },
    );
    return 'template';
  }

  /** "Corte de pelo con Javi, jueves 26 de noviembre 10:00": the barber named in a shop with barbers. */
  function noticeLine(
    appointment: Pick<Appointment, 'serviceId' | 'serviceName' | 'start' | 'barberId'>,
    language: 'es' | 'en',
  ): string {
    const service = serviceById(shop, appointment.serviceId)?.name[language] ?? appointment.serviceName;
    const barber = barberById(shop, appointment.barberId)?.name;
    const what = barber ? COPY[language].withBarber(service, barber) : service;
    return `${what}, ${longDate(localDate(appointment.start, shop.timezone), language)} ${localTime(appointment.start, shop.timezone)}`;
  }

  return {
    async bookingChanged(change, appointments, { except } = {}) {
      const all = Array.isArray(appointments) ? appointments : [appointments];
      const concerns = (member: StaffMember, appointment: Appointment) =>
        member.role === 'owner' ||
        // Without barbers on bookings the shop is one chair: every barber is concerned.
        appointment.barberId === undefined ||
        member.barberId === undefined ||
        member.barberId === appointment.barberId;
      // One after another: a handful of phones, in the order the config lists them, each told once.
      for (const member of shop.staff) {
        const theirs = all.filter((appointment) => concerns(member, appointment));
        if (member.phone === except || theirs.length === 0) continue;
        await tell(member, change, (language) => {
          const copy = STAFF_COPY[language];
          const lines = theirs.map((appointment) => noticeLine(appointment, language));
          const [first] = theirs;
          const named = first.customerName && quotedCustomerName(first.customerName);
          const customer = customerLabel(named || copy.unknownCustomer, first.phone);
          const line = lines.length === 1 ? lines[0] : `\n${lines.map((l) => `• ${l}`).join('\n')}\n`;
          return { kind: 'text', body: copy.notices[change](line, customer) };
        });
      }
    },

    async customerNotReached(appointment, staffPhone) {
      const asked = shop.staff.filter((member) => member.phone === staffPhone);
      const told = asked.length > 0 ? asked : shop.staff.filter((member) => member.role === 'owner');
      for (const member of told) {
        await tell(member, 'undelivered', (language) => {
          const copy = STAFF_COPY[language];
          const service = serviceById(shop, appointment.serviceId)?.name[language] ?? appointment.serviceName;
          const line = `${service}, ${longDate(localDate(appointment.start, shop.timezone), language)} ${localTime(appointment.start, shop.timezone)}`;
          const customer = customerLabel(appointment.customerName ?? copy.unknownCustomer, appointment.phone);
          return { kind: 'text', body: copy.notices.notReached(line, customer) };
        });
      }
    },

    async customerWindowClosed(phone) {
      for (const member of shop.staff.filter((member) => member.role === 'owner')) {
        await tell(member, 'undelivered', (language) => ({
          kind: 'text',
          body: STAFF_COPY[language].notices.windowClosed(
            isUserId(phone) ? STAFF_COPY[language].unknownCustomer : `+${phone}`,
          ),
        }));
      }
    },

    async tokenRefused(since) {
      for (const member of shop.staff.filter((member) => member.role === 'owner')) {
        await tell(member, 'undelivered', (language) => ({
          kind: 'text',
          body: STAFF_COPY[language].notices.tokenRefused(
            `${longDate(localDate(since, shop.timezone), language)} ${localTime(since, shop.timezone)}`,
          ),
        }));
      }
    },

    async templateRefused(name, details) {
      for (const member of shop.staff.filter((member) => member.role === 'owner')) {
        await tell(member, 'undelivered', (language) => ({
          kind: 'text',
          body: STAFF_COPY[language].notices.templateRefused(name, shorten(details, 200)),
        }));
      }
    },

    async bookingForStaff({ phone, name, username, appointments, noShows, windowDays }) {
      for (const member of shop.staff) {
        await tell(member, 'handoff', (language) => {
          const copy = STAFF_COPY[language];
          const lines = appointments.map((appointment) => noticeLine(appointment, language));
          const body = copy.notices.bookingForStaff(
            customerLabel((name && quotedCustomerName(name)) || copy.unknownCustomer, phone, username),
            lines.length === 1 ? lines[0]! : `\n${lines.map((l) => `• ${l}`).join('\n')}\n`,
            copy.notices.noShowsCounted(noShows, windowDays),
            isUserId(phone) ? copy.answerInBusinessApp : `https://wa.me/${phone}`,
          );
          return {
            kind: 'buttons',
            body: shorten(body, LIMITS.interactiveBody),
            buttons: [{ id: staffReplyIdFor({ type: 'HAND_BACK', phone }), title: copy.buttons.handBack }],
          };
        });
      }
    },

    async customerWantsPerson({ phone, name, username, turns }) {
      for (const member of shop.staff) {
        await tell(member, 'handoff', (language) => {
          const copy = STAFF_COPY[language];
          const said = turns
            .slice(-4)
            .map((turn) => `${turn.from === 'customer' ? '›' : '‹'} ${shorten(turn.text.replace(/\s+/g, ' '), 120)}`)
            .join('\n');
          // Without a phone there is no wa.me link: the shop answers them from its own WhatsApp number.
          const body = copy.notices.handoff(
            customerLabel((name && quotedCustomerName(name)) || copy.unknownCustomer, phone, username),
            isUserId(phone) ? copy.answerInBusinessApp : `https://wa.me/${phone}`,
            said,
          );
          return {
            kind: 'buttons',
            body: shorten(body, LIMITS.interactiveBody),
            buttons: [{ id: staffReplyIdFor({ type: 'HAND_BACK', phone }), title: copy.buttons.handBack }],
          };
        });
      }
    },
  };
}
