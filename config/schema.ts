import { LRUCache } from 'lru-cache';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

/** The languages cita speaks. Spanish is the default; a customer may switch at any time. */
export const Language = z.enum(['es', 'en']);
export type Language = z.infer<typeof Language>;

/** Wall-clock time in the shop, 24-hour "HH:mm". */
export const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time like "09:30"');

/** A calendar day in the shop, "YYYY-MM-DD". */
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like "2026-12-24"')
  .refine((value) => DateTime.fromISO(value).isValid, 'is not a real calendar date');

const Translated = z.object({ es: z.string().min(1), en: z.string().min(1) });

export const OpeningInterval = z
  .object({ from: ClockTime, to: ClockTime })
  .refine(({ from, to }) => from < to, 'must close after it opens ("from" before "to")');
export type OpeningInterval = z.infer<typeof OpeningInterval>;

/** The intervals of one day, in order and not overlapping (a lunch break is a gap between two). */
const DayHours = z
  .array(OpeningInterval)
  .refine(
    (intervals) => intervals.every((interval, i) => i === 0 || intervals[i - 1].to <= interval.from),
    'intervals must be in order and must not overlap',
  );

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const Service = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be lowercase letters, digits and dashes (it is used in button ids)'),
  name: Translated,
  description: Translated,
  /** Words customers use for this service, in any language; the rule parser matches them. */
  synonyms: z.array(z.string().min(1)).default([]),
  /** A service that is these others together ("corte y barba"): named together, they mean this one. */
  combines: z.array(z.string()).default([]),
  /** A kind of another service (a kids' cut of a haircut): named with it, this one is meant. */
  refines: z.string().optional(),
  durationMinutes: z.number().int().min(5).max(480),
  price: z.number().nonnegative(),
  /**
   * How often customers come back for it, in days (28 for a cut): that long after a visit with no
   * later booking, the customer gets one *¿Repetimos?* message. None: no such message.
   */
  rebookAfterDays: z.number().int().min(1).max(365).optional(),
  /** The section of the service list it is shown in ("Cortes", "Barba"); the title of a WhatsApp list section. */
  category: z
    .object({ es: z.string().min(1).max(24), en: z.string().min(1).max(24) }, 'must name the category in each language')
    .optional(),
});
export type Service = z.infer<typeof Service>;

const WeekHours = z.object(
  Object.fromEntries(WEEKDAYS.map((day) => [day, DayHours])) as Record<Weekday, typeof DayHours>,
);

const DateOverride = z.object({ date: CalendarDate, hours: DayHours, note: z.string().optional() });

/** What a customer says to mean "any barber" (the SELECT_BARBER payload, never a barber's id). */
export const ANY_BARBER = 'any';

/**
 * One chair of the shop and the person in it. Without `services` they do every service; without
 * `openingHours` they work the shop's week; their `dateOverrides` (days off, other hours) come
 * before the shop's, and the shop's (holidays) apply to them otherwise. Without `calendarId` their
 * appointments go to the shop's calendar, marked with their id.
 */
export const Barber = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'must be lowercase letters, digits and dashes (it is used in button ids)')
    .refine((id) => id !== ANY_BARBER, `"${ANY_BARBER}" means "any barber" and cannot be a barber's id`),
  name: z.string().min(1).max(20, 'must fit a WhatsApp list row (20 characters)'),
  /** Other names customers use ("Javi" for Javier); the rule parser matches them and the name. */
  synonyms: z.array(z.string().min(1)).default([]),
  services: z.array(z.string()).min(1).optional(),
  openingHours: WeekHours.optional(),
  dateOverrides: z.array(DateOverride).default([]),
  /** The barber's own Google Calendar (used with GOOGLE_CALENDAR_ID), shared with the service account. */
  calendarId: z.string().min(1).optional(),
});
export type Barber = z.infer<typeof Barber>;

/**
 * One answer of the shop's FAQ ("¿se puede pagar con tarjeta?", parking, walk-ins, from what age
 * the kids' cut): a customer's question that contains one of its keywords (in either language) is
 * answered with `answer` in the customer's language, without leaving their place in the booking.
 */
export const FaqEntry = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be lowercase letters, digits and dashes'),
  keywords: z.object(
    { es: z.array(z.string().min(2)).min(1), en: z.array(z.string().min(2)).min(1) },
    'must list keywords in each language: { "es": [...], "en": [...] }',
  ),
  answer: Translated,
});
export type FaqEntry = z.infer<typeof FaqEntry>;

/** A WhatsApp message template as Meta approved it: its name and its language code ("es", "en_US"). */
export const ReminderTemplate = z.object({
  name: z.string().min(1),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a WhatsApp template language code such as "es" or "en_US"'),
});
export type ReminderTemplate = z.infer<typeof ReminderTemplate>;

function templatesForAll(template: ReminderTemplate): Partial<Record<Language, ReminderTemplate>> {
  return Object.fromEntries(Language.options.map((language) => [language, template]));
}

/**
 * Per customer language (`{ "es": {...}, "en": {...} }`), or one template for everyone (the older
 * form, recognised by its `name`): read as the same template for each language, so a mistake in
 * either form is reported at the field it is in.
 */
const ReminderTemplates = z.preprocess(
  (value) =>
    typeof value === 'object' && value !== null && ('name' in value || 'language' in value)
      ? Object.fromEntries(Language.options.map((language) => [language, value]))
      : value,
  z.partialRecord(Language, ReminderTemplate),
);

/** Digits of an international number, no "+": how WhatsApp names a phone. */
const PhoneDigits = z
  .string()
  .regex(/^\d{6,15}$/, 'must be the digits of an international phone number, no "+" or spaces');

/** A pre-approved WhatsApp template: the only thing WhatsApp delivers outside the 24-hour window. */
const Template = ReminderTemplate;

/** Someone who works at the shop: their phone gets the staff machine instead of the booking one. */
export const StaffMember = z.object({
  phone: PhoneDigits,
  name: z.string().min(1),
  /** The owner sees everyone's agenda and can close the shop; a barber sees their own. */
  role: z.enum(['owner', 'barber']),
  /** The barber (config `barbers`) whose chair this is; without barbers the shop is one chair. */
  barberId: z.string().min(1).optional(),
  /** The language cita speaks to them in; the shop's default when unset. */
  language: Language.optional(),
});
export type StaffMember = z.infer<typeof StaffMember>;

/** Where a shop is on the map: sent as a WhatsApp location pin with the address. */
const MapPin = z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) });

/**
 * One shop of a chain behind the chain's one WhatsApp number: its own address, hours, barbers
 * (ids from the file's `barbers`, each of whom works here only), services (ids from the file's
 * `services`; all of them when unset) and Google Calendar (for its barbers without their own).
 * The customer picks it first; a shop file without `locations` is one shop, as always.
 */
export const Location = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be lowercase letters, digits and dashes (it is used in button ids)'),
  name: z.string().min(1).max(24, 'must fit a WhatsApp list row (24 characters)'),
  /** Other names customers use for it ("el de Gràcia", a street); the rule parser matches them and the name. */
  synonyms: z.array(z.string().min(1)).default([]),
  address: z.string().min(1),
  location: MapPin.optional(),
  phone: z.string().min(1).optional(),
  /** Its week; the file's `openingHours` when unset. A barber's own hours come before it. */
  openingHours: WeekHours.optional(),
  /** Its holidays and special days, before the file's (which apply to every location). */
  dateOverrides: z.array(DateOverride).default([]),
  barbers: z.array(z.string()).min(1, 'a location needs the barbers who work there (ids from "barbers")'),
  services: z.array(z.string()).min(1).optional(),
  /** The location's Google Calendar, for its barbers without a `calendarId` of their own. */
  calendarId: z.string().min(1).optional(),
});
export type Location = z.infer<typeof Location>;

/** A list of WhatsApp holds 10 rows: a chain offers at most that many locations behind one number. */
export const MOST_LOCATIONS = 10;

/** The templates of the no-show messages when the file names none. */
export const NO_SHOW_TEMPLATES = {
  confirm: { name: 'cita_confirm_attendance', language: 'es' },
  released: { name: 'cita_released_unconfirmed', language: 'es' },
} as const satisfies Record<string, ReminderTemplate>;

/** See ShopConfig's `noShows`. */
export const NoShows = z.object({
  limit: z.number().int().min(1).max(20),
  windowDays: z.number().int().min(1).max(730),
  /** Hours before the start by which a customer asked to confirm must have confirmed; the ask goes 24 h before. */
  confirmByHours: z.number().int().min(1).max(23, 'must be under 24: the confirmation is asked for 24 hours before'),
  policy: z.enum(['confirm', 'staff']),
  /**
   * The template asking to confirm, outside the 24-hour window. Body parameters: {{1}} service,
   * {{2}} day, {{3}} time, {{4}} when the confirmation is due; buttons: I'll be there, change, cancel.
   */
  confirmTemplate: Template.default(NO_SHOW_TEMPLATES.confirm),
  /**
   * The template telling the customer their unconfirmed appointment was released, outside the
   * window. Body parameters: {{1}} service, {{2}} day, {{3}} time; one quick-reply button: book again.
   */
  releasedTemplate: Template.default(NO_SHOW_TEMPLATES.released),
});
export type NoShows = z.infer<typeof NoShows>;

const CheckedShopConfig = z
  .object({
    name: z.string().min(1),
    phone: z.string().min(1),
    address: z.string().min(1),
    /** Where the shop is on the map: sent as a WhatsApp location pin with the address. */
    location: MapPin.optional(),
    timezone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA timezone such as "Europe/Madrid"'),
    languages: z.object({ default: Language, supported: z.array(Language).min(1) }),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "EUR"'),
    services: z
      .array(Service)
      .min(1)
      .refine((services) => new Set(services.map((s) => s.id)).size === services.length, 'service ids must be unique')
      .refine(
        (services) =>
          services.every((s) =>
            [...s.combines, ...(s.refines ? [s.refines] : [])].every((id) => services.some((o) => o.id === id)),
          ),
        '"combines" and "refines" must name services of the shop',
      ),
    openingHours: WeekHours,
    dateOverrides: z.array(DateOverride).default([]),
    /** The shop's chairs. None: one chair, booked as the shop. */
    barbers: z
      .array(Barber)
      // The barber list shows "anyone" first, and WhatsApp lists hold 10 rows.
      .max(9, 'WhatsApp lists show at most 10 rows: "anyone" and nine barbers')
      .refine((barbers) => new Set(barbers.map((b) => b.id)).size === barbers.length, 'barber ids must be unique')
      .default([]),
    /** A chain's shops behind this one number (see `Location`); none: the file is one shop. */
    locations: z
      .array(Location)
      .min(1)
      .max(MOST_LOCATIONS, `WhatsApp lists show at most ${MOST_LOCATIONS} rows: at most ${MOST_LOCATIONS} locations`)
      .optional(),
    /** Questions the shop answers the same way every time: payment, parking, walk-ins, children's ages. */
    faq: z
      .array(FaqEntry)
      .refine((faq) => new Set(faq.map((entry) => entry.id)).size === faq.length, 'FAQ ids must be unique')
      .default([]),
    booking: z.object({
      slotStepMinutes: z.number().int().min(5).max(120),
      bufferMinutes: z.number().int().min(0).max(120),
      minimumNoticeMinutes: z.number().int().min(0),
      daysAhead: z.number().int().min(1).max(365),
      holdMinutes: z.number().int().min(1).max(60),
      /** Appointments starting sooner than this are not cancelled in the chat: the customer is asked to call. */
      cancellationNoticeMinutes: z.number().int().min(0).default(120),
      /** How long a time freed for the first customer on a day's waitlist stays held for their answer. */
      waitlistHoldMinutes: z.number().int().min(1).max(240).default(15),
    }),
    reminders: z
      .object({
        /** When reminders go out, in minutes before the appointment (24 h and 2 h by default). */
        minutesBefore: z.array(z.number().int().min(5).max(10_080)).default([1440, 120]),
        /**
         * The pre-approved template sent when the customer has not written in the last 24 hours
         * (WhatsApp allows only templates then), one per language the shop speaks, each customer
         * getting the one of their language. Body parameters: {{1}} service, {{2}} day, {{3}} time;
         * three quick-reply buttons: attend, change, cancel. A single `{ name, language }` (the
         * older form) is sent to every customer.
         */
        template: ReminderTemplates.default(templatesForAll({ name: 'cita_reminder', language: 'es' })),
        /** How often each process looks for reminders that are due. */
        checkEverySeconds: z.number().int().min(1).max(3600).default(30),
      })
      .default({
        minutesBefore: [1440, 120],
        template: templatesForAll({ name: 'cita_reminder', language: 'es' }),
        checkEverySeconds: 30,
      }),
    /** The phones of the people who work here; every other phone is a customer. */
    staff: z
      .array(StaffMember)
      .default([])
      .refine((staff) => new Set(staff.map((s) => s.phone)).size === staff.length, 'staff phones must be unique'),
    notices: z
      .object({
        /**
         * The template a notice to staff goes out as when they have not written in the last 24 hours
         * (one body parameter: the notice on one line). Without it such notices are counted and not sent.
         */
        template: Template.optional(),
        /**
         * The template telling a customer the shop cancelled their appointment, outside their 24-hour
         * window. Body parameters: {{1}} service, {{2}} day, {{3}} time; one quick-reply button: book again.
         */
        cancelledByShopTemplate: Template.default({ name: 'cita_cancelled_by_shop', language: 'es' }),
        /**
         * The template asking a customer to move their appointment, outside their 24-hour window.
         * Body parameters as above; two quick-reply buttons: move it, cancel it.
         */
        moveRequestTemplate: Template.default({ name: 'cita_move_request', language: 'es' }),
        /**
         * The template telling a customer the shop moved their appointment in its calendar, outside
         * their 24-hour window. Body parameters: {{1}} service, {{2}} day, {{3}} time (the new ones);
         * three quick-reply buttons: fine by me, change it, cancel it.
         */
        movedByShopTemplate: Template.extend({
          /**
           * The template was made with a Document header: the new time's calendar file (.ics) goes
           * in it, so a customer told outside their window gets the file too.
           */
          calendarFile: z.boolean().optional(),
        }).default({ name: 'cita_moved_by_shop', language: 'es' }),
      })
      .default({
        cancelledByShopTemplate: { name: 'cita_cancelled_by_shop', language: 'es' },
        moveRequestTemplate: { name: 'cita_move_request', language: 'es' },
        movedByShopTemplate: { name: 'cita_moved_by_shop', language: 'es' },
      }),
    waitlist: z
      .object({
        /**
         * The template offering a freed time to a waitlisted customer outside their 24-hour window.
         * Category utility. Body parameters: {{1}} service, {{2}} day, {{3}} time, {{4}} minutes held;
         * two quick-reply buttons: book it, no thanks.
         */
        offerTemplate: Template.default({ name: 'cita_waitlist_offer', language: 'es' }),
        /** How often each process looks for freed time to offer and offers left unanswered. */
        checkEverySeconds: z.number().int().min(1).max(3600).default(30),
      })
      .default({ offerTemplate: { name: 'cita_waitlist_offer', language: 'es' }, checkEverySeconds: 30 }),
    messaging: z
      .object({
        /**
         * Hours in the shop's timezone when cita starts no conversation (waitlist offers and the
         * like wait until they end). `from` later than `to` spans midnight.
         */
        quietHours: z.object({ from: ClockTime, to: ClockTime }).default({ from: '21:00', to: '09:00' }),
        /**
         * Whether appointment reminders still go to a customer who said "no más avisos" (they
         * booked, after all). Off: an opt-out stops every message cita starts, reminders too.
         */
        remindersAfterOptOut: z.boolean().default(false),
        /**
         * The template of the *¿Repetimos?* message (a service's `rebookAfterDays`) outside the
         * 24-hour window. Category marketing. Body parameters: {{1}} service (with the barber),
         * {{2}} day of the last visit; two quick-reply buttons: book, no more messages.
         */
        rebookTemplate: Template.default({ name: 'cita_rebook', language: 'es' }),
        /** How often each process looks for visits to follow up (the nudge and the thank-you). */
        followUpEverySeconds: z.number().int().min(1).max(86_400).default(300),
      })
      .default({
        quietHours: { from: '21:00', to: '09:00' },
        remindersAfterOptOut: false,
        rebookTemplate: { name: 'cita_rebook', language: 'es' },
        followUpEverySeconds: 300,
      }),
    /**
     * A thank-you with the shop's review link a while after each visit; off unless configured.
     */
    afterVisit: z
      .object({
        /** How long after the appointment ends the thank-you goes out. */
        minutesAfter: z
          .number()
          .int()
          .min(0)
          .max(7 * 24 * 60)
          .default(120),
        /** Where customers leave a review (Google, for example). */
        reviewUrl: z.url({ protocol: /^https?$/, error: 'must be the https:// address of the review page' }),
        /** At most one thank-you per customer in this many days. */
        minDaysBetween: z.number().int().min(0).max(365).default(30),
        /**
         * The template of the thank-you outside the 24-hour window. Category marketing. Body
         * parameters: {{1}} the shop's name, {{2}} the review link; no buttons.
         */
        template: Template.default({ name: 'cita_thank_you', language: 'es' }),
      })
      .optional(),
    /**
     * What the shop does about customers who miss appointments (staff mark them *No vino* from the
     * agenda). Off unless configured. A customer with `limit` no-shows in the last `windowDays` is,
     * with `policy: "confirm"`, asked the day before to confirm, and their appointment released
     * when no confirmation has come `confirmByHours` before it starts; with `policy: "staff"`,
     * their booking requests go to the staff instead of being booked by the bot.
     */
    noShows: NoShows.optional(),
    handoff: z
      .object({
        /** A customer handed to a person returns to the bot on their first message after this long without one. */
        quietMinutes: z
          .number()
          .int()
          .min(5)
          .max(7 * 24 * 60)
          .default(120),
        /**
         * When someone from the shop writes to a customer from the WhatsApp Business app on the same
         * number (coexistence), the bot steps aside for that customer as for a handoff. False: the
         * bot goes on answering them.
         */
        fromBusinessApp: z.boolean().default(true),
      })
      .default({ quietMinutes: 120, fromBusinessApp: true }),
  })
  .refine((shop) => shop.languages.supported.includes(shop.languages.default), {
    message: 'the default language must be one of the supported languages',
    path: ['languages', 'default'],
  })
  .refine(
    (shop) => shop.barbers.every((b) => (b.services ?? []).every((id) => shop.services.some((s) => s.id === id))),
    { message: "a barber's services must be services of the shop", path: ['barbers'] },
  )
  .refine(
    (shop) =>
      shop.barbers.length === 0 ||
      shop.services.every((s) => shop.barbers.some((b) => b.services === undefined || b.services.includes(s.id))),
    {
      message: 'every service needs at least one barber who does it',
      path: ['barbers'],
    },
  )
  .superRefine((shop, issues) => {
    if (shop.barbers.length === 0) return;
    // A barber's phone without a chair would see everyone's agenda and close the whole shop.
    shop.staff.forEach((member, i) => {
      if (member.barberId === undefined ? member.role === 'owner' : barberById(shop, member.barberId)) return;
      issues.addIssue({
        code: 'custom',
        message:
          member.barberId === undefined
            ? `${member.name} is a barber: set "barberId" to one of the shop's barbers (${shop.barbers.map((b) => b.id).join(', ')})`
            : `"${member.barberId}" is not one of the shop's barbers (${shop.barbers.map((b) => b.id).join(', ')})`,
        path: ['staff', i, 'barberId'],
      });
    });
  })
  // Booking requests handed to the staff need staff to hand them to.
  .refine((shop) => shop.noShows?.policy !== 'staff' || shop.staff.length > 0, {
    message: 'policy "staff" needs the shop\'s "staff" phones: their booking requests go to them',
    path: ['noShows', 'policy'],
  })
  .superRefine((shop, issues) => {
    for (const language of shop.languages.supported) {
      if (shop.reminders.template[language]) continue;
      issues.addIssue({
        code: 'custom',
        message: `needs an approved template for "${language}", a language the shop speaks`,
        path: ['reminders', 'template', language],
      });
    }
  });

type CheckedShop = z.output<typeof CheckedShopConfig>;

/** A shop's configuration, checked, with a chain's barbers given their locations' hours and calendars. */
export const ShopConfig = CheckedShopConfig.superRefine(checkLocations).transform(withChairsAtTheirLocations);
export type ShopConfig = z.infer<typeof ShopConfig>;

/**
 * A chain's locations must name barbers and services the file has, each barber at one location,
 * and every service a location offers done by someone there. Each refusal names the field.
 */
function checkLocations(shop: CheckedShop, issues: z.RefinementCtx) {
  if (!shop.locations) return;
  const refuse = (message: string, path: (string | number)[]) => issues.addIssue({ code: 'custom', message, path });
  const barberIds = shop.barbers.map((b) => b.id).join(', ') || 'none';
  const serviceIds = shop.services.map((s) => s.id).join(', ');
  const worksAt = new Map<string, string>();
  const seen = new Set<string>();
  shop.locations.forEach((location, i) => {
    if (seen.has(location.id))
      refuse(`"${location.id}" is the id of another location: ids must be unique`, ['locations', i, 'id']);
    seen.add(location.id);
    location.barbers.forEach((id, j) => {
      const at = ['locations', i, 'barbers', j];
      if (!barberById(shop, id)) refuse(`"${id}" is not one of the shop's barbers (${barberIds})`, at);
      else if (worksAt.has(id))
        refuse(`"${id}" already works at "${worksAt.get(id)}": a barber works at one location`, at);
      else worksAt.set(id, location.id);
    });
    (location.services ?? []).forEach((id, j) => {
      if (!shop.services.some((s) => s.id === id))
        refuse(`"${id}" is not one of the shop's services (${serviceIds})`, ['locations', i, 'services', j]);
    });
    const offered = location.services ?? shop.services.map((s) => s.id);
    const here = shop.barbers.filter((b) => location.barbers.includes(b.id));
    for (const serviceId of offered) {
      if (here.length > 0 && !here.some((b) => (b.services ?? offered).includes(serviceId)))
        refuse(`nobody at "${location.id}" does "${serviceId}": list it for one of its barbers, or drop it`, [
          'locations',
          i,
          'services',
        ]);
    }
  });
  shop.barbers.forEach((barber, k) => {
    const at = worksAt.get(barber.id);
    if (at === undefined) {
      refuse(`"${barber.id}" works at no location: add it to the "barbers" of one of the locations`, ['barbers', k]);
      return;
    }
    const offered = shop.locations?.find((l) => l.id === at)?.services;
    const elsewhere = (barber.services ?? []).filter((id) => offered && !offered.includes(id));
    if (elsewhere.length > 0)
      refuse(`"${barber.id}" works at "${at}", which does not offer ${elsewhere.join(', ')}`, [
        'barbers',
        k,
        'services',
      ]);
  });
}

/**
 * A chain's barbers as availability, holds and calendars read them: each with their location's
 * week, days off, services and calendar where they have none of their own. Everything below the
 * booking machine then works on barbers as it always has; `atLocation` narrows a shop to one place.
 */
function withChairsAtTheirLocations<T extends CheckedShop>(shop: T): T {
  if (!shop.locations) return shop;
  const locationOf = new Map(shop.locations.flatMap((location) => location.barbers.map((id) => [id, location])));
  const barbers = shop.barbers.map((barber) => {
    const location = locationOf.get(barber.id);
    if (!location) return barber;
    const own = new Set(barber.dateOverrides.map((o) => o.date));
    const openingHours = barber.openingHours ?? location.openingHours;
    const services = barber.services ?? location.services;
    const calendarId = barber.calendarId ?? location.calendarId;
    return {
      ...barber,
      ...(openingHours && { openingHours }),
      ...(services && { services }),
      ...(calendarId && { calendarId }),
      dateOverrides: [...barber.dateOverrides, ...location.dateOverrides.filter((o) => !own.has(o.date))],
    };
  });
  return { ...shop, barbers };
}

/** The opening intervals of one calendar day, after date overrides. */
export function openingHoursOn(
  shop: Pick<ShopConfig, 'openingHours' | 'dateOverrides'>,
  date: string,
): OpeningInterval[] {
  const override = shop.dateOverrides.find((o) => o.date === date);
  if (override) return override.hours;
  const weekday = WEEKDAYS[DateTime.fromISO(date).weekday - 1];
  return shop.openingHours[weekday];
}

/** The barbers who do the service, in the config's order. */
export function barbersFor(shop: Pick<ShopConfig, 'barbers'>, serviceId: string): Barber[] {
  return shop.barbers.filter((barber) => barber.services === undefined || barber.services.includes(serviceId));
}

export function barberById(shop: Pick<ShopConfig, 'barbers'>, id: string | undefined): Barber | undefined {
  return shop.barbers.find((barber) => barber.id === id);
}

/**
 * A barber's week and days as availability reads them: their own day off or special hours first,
 * then the shop's (a holiday closes every chair), then their own week, else the shop's.
 */
export function barberHours<T extends Pick<ShopConfig, 'openingHours' | 'dateOverrides'>>(shop: T, barber: Barber): T {
  // The same object for the same shop and barber, so what is worked out from hours (a day's
  // opening spans) is worked out once.
  const ofBarber = BARBER_HOURS.get(barber) ?? new WeakMap<object, unknown>();
  BARBER_HOURS.set(barber, ofBarber);
  const known = ofBarber.get(shop);
  if (known) return known as T;
  const own = new Set(barber.dateOverrides.map((o) => o.date));
  const hours = {
    ...shop,
    openingHours: barber.openingHours ?? shop.openingHours,
    dateOverrides: [...barber.dateOverrides, ...shop.dateOverrides.filter((o) => !own.has(o.date))],
  };
  ofBarber.set(shop, hours);
  return hours;
}

const BARBER_HOURS = new WeakMap<Barber, WeakMap<object, unknown>>();

/** The approved reminder template for a customer who speaks `language`. */
export function reminderTemplateFor(shop: ShopConfig, language: Language): ReminderTemplate {
  const templates = shop.reminders.template;
  // The config's check guarantees one per supported language; a language outside them gets the shop's.
  return (templates[language] ?? templates[shop.languages.default]) as ReminderTemplate;
}

export function serviceById(shop: ShopConfig, id: string): Service | undefined {
  return shop.services.find((service) => service.id === id);
}

/** "today" in the shop, as "YYYY-MM-DD". */
export function shopToday(shop: Pick<ShopConfig, 'timezone'>, now: Date): string {
  // Asked on nearly every message: the zone's day is worked out once, then compared with.
  const at = now.getTime();
  const known = SHOP_DAYS.get(shop.timezone);
  if (known && known.from <= at && at < known.to) return known.date;
  const local = DateTime.fromMillis(at, { zone: shop.timezone });
  const day = {
    date: local.toISODate() as string,
    from: local.startOf('day').toMillis(),
    to: local.plus({ days: 1 }).startOf('day').toMillis(),
  };
  SHOP_DAYS.set(shop.timezone, day);
  return day.date;
}

/** The current day of each timezone asked about, with the instants it starts and ends. */
const SHOP_DAYS = new Map<string, { date: string; from: number; to: number }>();

/**
 * When a local day starts in a timezone (midnight, or whenever a DST change lets the day begin),
 * as a Luxon date in that zone. Shared (Luxon dates are immutable) and worked out once per zone
 * and day: the timezone database is slow to ask, and nearly every message asks.
 *
 * @example
 * startOfDay('Europe/Madrid', '2026-11-25').toISO() // '2026-11-25T00:00:00.000+01:00'
 */
export function startOfDay(timezone: string, date: string): DateTime {
  return DAY_STARTS.memo(`${timezone} ${date}`, { context: { timezone, date } });
}

const DAY_STARTS = new LRUCache<string, DateTime, { timezone: string; date: string }>({
  max: 1_000,
  memoMethod: (_key, _stale, { context: { timezone, date } }) =>
    DateTime.fromISO(date, { zone: timezone }).startOf('day'),
});

/**
 * A calendar date `days` later (or earlier): plain calendar arithmetic, the same in every zone.
 *
 * @example
 * addDays('2026-12-31', 1) // '2027-01-01'
 */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The staff member writing from this phone, or undefined for a customer. */
export function staffMemberFor(shop: Pick<ShopConfig, 'staff'>, phone: string): StaffMember | undefined {
  return shop.staff.find((member) => member.phone === phone);
}

/** The location a barber of a chain works at; undefined for a shop without locations. */
export function locationOfBarber(
  shop: Pick<ShopConfig, 'locations'>,
  barberId: string | undefined,
): Location | undefined {
  return shop.locations?.find((location) => barberId !== undefined && location.barbers.includes(barberId));
}

/**
 * The shop as one location of a chain sees it: that location's address, pin, phone, hours, days,
 * barbers and services, so availability, holds and every reply read it as a shop of its own.
 * The whole shop for a shop without locations, or for a location it no longer has.
 *
 * @example
 * atLocation(chain, 'gracia').address // 'Carrer de Verdi 12, 08012 Barcelona'
 */
export function atLocation(shop: ShopConfig, locationId: string | undefined): ShopConfig {
  const location = shop.locations?.find((l) => l.id === locationId);
  if (!location) return shop;
  const ofShop = LOCATION_VIEWS.get(shop) ?? new Map<string, ShopConfig>();
  LOCATION_VIEWS.set(shop, ofShop);
  const known = ofShop.get(location.id);
  if (known) return known;
  const own = new Set(location.dateOverrides.map((o) => o.date));
  const view: ShopConfig = {
    ...shop,
    address: location.address,
    location: location.location,
    phone: location.phone ?? shop.phone,
    openingHours: location.openingHours ?? shop.openingHours,
    dateOverrides: [...location.dateOverrides, ...shop.dateOverrides.filter((o) => !own.has(o.date))],
    barbers: shop.barbers.filter((barber) => location.barbers.includes(barber.id)),
    services: location.services ? shop.services.filter((s) => location.services!.includes(s.id)) : shop.services,
  };
  ofShop.set(location.id, view);
  CHAIN_OF.set(view, shop);
  return view;
}

/**
 * The shop an appointment is at: in a chain, its barber's location (its address, pin, phone,
 * barbers and services), whichever location's view or whole chain `shop` is; the shop itself
 * otherwise, and for a barber the file no longer places anywhere.
 *
 * @example
 * whereBooked(chain, 'marcos').address // 'Carrer de Verdi 12, 08012 Barcelona'
 */
export function whereBooked(shop: ShopConfig, barberId: string | undefined): ShopConfig {
  const chain = wholeChain(shop);
  const location = locationOfBarber(chain, barberId);
  return location ? atLocation(chain, location.id) : shop;
}

/** The name of the chain location an appointment is at, when the shop has more than one to tell apart. */
export function locationNameOf(shop: ShopConfig, barberId: string | undefined): string | undefined {
  const chain = wholeChain(shop);
  if ((chain.locations?.length ?? 0) < 2) return undefined;
  return locationOfBarber(chain, barberId)?.name;
}

/** The whole chain a location's view was made from (the shop itself otherwise): to name what the location lacks. */
export function wholeChain(shop: ShopConfig): ShopConfig {
  return CHAIN_OF.get(shop) ?? shop;
}

const CHAIN_OF = new WeakMap<ShopConfig, ShopConfig>();

/** Each shop's locations as shops of their own, worked out once per version of the file. */
const LOCATION_VIEWS = new WeakMap<ShopConfig, Map<string, ShopConfig>>();
