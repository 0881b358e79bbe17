import { Language } from '../../config/schema.ts';
import type { OutboundMessage } from './whatsapp.ts';

/**
 * Messages cita starts on its own (reminders, waitlist offers, nudges, thank-yous, the shop's
 * changes): inside the 24-hour customer window an ordinary message in the customer's language;
 * outside it WhatsApp delivers only the shop's pre-approved template.
 */
type Template = { name: string; language: string };

/** The language of the free text: the customer's inside the window, else the template's (fixed when Meta approves it) when cita speaks it. */
export function spokenIn(template: Template, language: Language, windowOpen: boolean): Language {
  return windowOpen ? language : (Language.safeParse(template.language.slice(0, 2)).data ?? language);
}

/** The message: buttons (or text, without buttons) inside the window, the template with the same body and buttons outside it. */
export function startedMessage(
  windowOpen: boolean,
  template: Template,
  body: string,
  parameters: string[],
  buttons: { id: string; title: string }[],
): OutboundMessage {
  if (windowOpen) return buttons.length > 0 ? { kind: 'buttons', body, buttons } : { kind: 'text', body };
  return { kind: 'template', name: template.name, language: template.language, body, parameters, buttons };
}
