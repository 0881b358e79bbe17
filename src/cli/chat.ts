// First: the settings in .env must be in the environment before any module reads them.
import '../env-file.ts';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { type InboundMessage, NoReplyInTime } from '../engine/ports.ts';
import { log } from '../log.ts';
import { type OutboundMessage, optionsOf } from '../messages/whatsapp.ts';
import { startCita } from '../startup.ts';
import { renderForTerminal } from './render.ts';

const USAGE = `Usage: npm run chat -- [--phone 34600000000] [--now 2026-11-24T09:00:00Z] [--shop ID]
Chat with the bot in the terminal, one message per line (standard input may be piped).
A number picks that option of the last buttons or list, as a tap would.
With SHOPS_DIR, --shop picks the shop by its id (default: the first).`;

const { values } = parseArgs({
  options: {
    phone: { type: 'string', default: '34600000000' },
    now: { type: 'string' },
    shop: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

// The chat's standard output is the conversation: only warnings and errors are logged, unless asked.
log.level = process.env.LOG_LEVEL ?? 'warn';
const { cita, shops } = startCita({ now: values.now });
const shop = values.shop ?? shops.list()[0]?.id;
if (!shop || !shops.shop(shop)) {
  const known = shops.list().map((served) => served.id);
  console.error(`cita chat: no shop "${shop ?? ''}" is served; pick one of: ${known.join(', ') || '(none)'}`);
  await cita.stop();
  process.exit(1);
}
const interactive = process.stdin.isTTY;
const lines = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined });
let shown: OutboundMessage[] = [];

if (interactive) console.log('cita chat: write a message (e.g. "hola"); Ctrl+D to leave.\n');
for await (const line of lines) {
  if (!interactive) console.log(`> ${line}`);
  let replies: OutboundMessage[];
  try {
    replies = await cita.converse(values.phone, contentOf(line, shown), { shop });
  } catch (error) {
    if (!(error instanceof NoReplyInTime)) throw error;
    // A slow calendar or model: say so and keep the chat going, as the simulator API's 504 does.
    console.log(`\n(no reply within ${error.timeoutMs / 1000} s; the calendar or the model is slow)\n`);
    continue;
  }
  for (const reply of replies) console.log(`\n${renderForTerminal(reply)}`);
  console.log('');
  shown = replies;
}
await cita.stop();

/** A number that matches an option shown is a tap on it; anything else is typed text. */
function contentOf(line: string, lastReplies: OutboundMessage[]): InboundMessage['content'] {
  const options = lastReplies.flatMap(optionsOf);
  const picked = /^\s*(\d{1,2})\s*$/.exec(line);
  const option = picked ? options[Number(picked[1]) - 1] : undefined;
  return option ? { kind: 'reply', replyId: option.id, title: option.title } : { kind: 'text', text: line };
}
