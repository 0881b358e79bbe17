import { z } from 'zod';

/**
 * The message shapes cita sends, with WhatsApp Cloud API limits built in: a view that breaks a
 * limit fails its test instead of failing at Meta.
 */
export const LIMITS = {
  textBody: 4096,
  interactiveBody: 1024,
  buttons: 3,
  buttonTitle: 20,
  listButton: 20,
  listRows: 10,
  rowTitle: 24,
  rowDescription: 72,
  sectionTitle: 24,
  replyId: 256,
  /** Name and address of a location message: Meta publishes no limit; kept to what a map card shows. */
  locationText: 1000,
  /** A document's caption (Meta: 1024 characters). */
  caption: 1024,
  /** The text files cita sends (an appointment's .ics is about 1 KB); Meta takes documents up to 100 MB. */
  documentText: 64 * 1024,
} as const;

const ReplyId = z.string().min(1).max(LIMITS.replyId);

export const TextMessage = z.object({ kind: z.literal('text'), body: z.string().min(1).max(LIMITS.textBody) });

export const ButtonsMessage = z.object({
  kind: z.literal('buttons'),
  body: z.string().min(1).max(LIMITS.interactiveBody),
  buttons: z
    .array(z.object({ id: ReplyId, title: z.string().min(1).max(LIMITS.buttonTitle) }))
    .min(1)
    .max(LIMITS.buttons),
});

export const ListRow = z.object({
  id: ReplyId,
  title: z.string().min(1).max(LIMITS.rowTitle),
  description: z.string().max(LIMITS.rowDescription).optional(),
});
export type ListRow = z.infer<typeof ListRow>;

export const ListMessage = z.object({
  kind: z.literal('list'),
  body: z.string().min(1).max(LIMITS.interactiveBody),
  button: z.string().min(1).max(LIMITS.listButton),
  sections: z
    .array(z.object({ title: z.string().max(LIMITS.sectionTitle).optional(), rows: z.array(ListRow).min(1) }))
    .min(1)
    .refine((sections) => sections.flatMap((s) => s.rows).length <= LIMITS.listRows, 'a list holds at most 10 rows'),
});

/**
 * A pre-approved template: the only thing WhatsApp delivers outside the 24-hour customer window.
 * Meta renders the text; `body` is that text as cita shows it in the simulator and the terminal.
 */
export const TemplateMessage = z.object({
  kind: z.literal('template'),
  name: z.string().min(1),
  language: z.string().min(2),
  body: z.string().min(1).max(LIMITS.interactiveBody),
  /** The template's {{1}}, {{2}}… in order. */
  parameters: z.array(z.string().min(1)),
  /** Its quick-reply buttons in order: the id is the payload that comes back when tapped. */
  buttons: z.array(z.object({ id: ReplyId, title: z.string().min(1).max(LIMITS.buttonTitle) })).max(LIMITS.buttons),
  /** The file of a template made with a Document header (a moved appointment's .ics). */
  document: z
    .object({
      filename: z.string().min(1).max(240),
      mimeType: z.string().min(1).max(100),
      content: z.string().min(1).max(LIMITS.documentText),
    })
    .optional(),
});

/**
 * A pin on the map (the shop). `body` is how cita shows it in the simulator and the terminal;
 * WhatsApp shows the map with the name and address.
 */
export const LocationMessage = z.object({
  kind: z.literal('location'),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().min(1).max(LIMITS.locationText),
  address: z.string().min(1).max(LIMITS.locationText),
  body: z.string().min(1).max(LIMITS.textBody),
});

/**
 * A file for the customer to keep (the appointment's .ics). `content` is the file itself: small
 * text, rendered with the reply, so a resent turn sends the same file. `mimeType` is what the file
 * is; a channel that refuses that type says otherwise (WhatsApp: see cloud-api.ts). `body` is how
 * cita shows it in the simulator and the terminal.
 */
export const DocumentMessage = z.object({
  kind: z.literal('document'),
  /** With its extension: the customer's phone picks the icon and the app that opens it by it. */
  filename: z.string().min(1).max(240),
  mimeType: z.string().min(1).max(100),
  content: z.string().min(1).max(LIMITS.documentText),
  caption: z.string().min(1).max(LIMITS.caption).optional(),
  body: z.string().min(1).max(LIMITS.textBody),
});

export const OutboundMessage = z.discriminatedUnion('kind', [
  TextMessage,
  ButtonsMessage,
  ListMessage,
  TemplateMessage,
  LocationMessage,
  DocumentMessage,
]);
export type OutboundMessage = z.infer<typeof OutboundMessage>;

/** The tappable options of a message, in the order a customer sees them numbered. */
export function optionsOf(message: OutboundMessage): { id: string; title: string }[] {
  if (message.kind === 'buttons' || message.kind === 'template') return message.buttons;
  if (message.kind === 'list') return message.sections.flatMap((section) => section.rows);
  return [];
}

/** Shortens a text to fit a limit, marking the cut with an ellipsis. */
export function shorten(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1).trimEnd()}…`;
}
