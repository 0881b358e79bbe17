import type { OutboundMessage } from '../messages/whatsapp.ts';
import { optionsOf } from '../messages/whatsapp.ts';

/** A reply as plain terminal text, with its buttons or list rows numbered. */
export function renderForTerminal(message: OutboundMessage): string {
  const options = optionsOf(message).map((option, i) => {
    const description = 'description' in option && option.description ? ` — ${option.description}` : '';
    return `  ${i + 1}. ${option.title}${description}`;
  });
  return [message.body, ...options].join('\n');
}
