import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ShopConfig } from '../../config/schema.ts';

/**
 * The booking flow of bench/peer.ts written with BuilderBot (`@builderbot/bot`), the open-source
 * WhatsApp bot framework, as its documentation shows flows: `addKeyword` starts the flow, each
 * question is an `addAnswer`/`addAction` with `capture: true` whose callback checks the answer
 * (`fallBack` repeats the question), `state` keeps the customer's choices and `flowDynamic` sends
 * the lists computed at run time. Its database is BuilderBot's `MemoryDB` and its provider a
 * `ProviderClass` driven in this process: a customer's message is the provider's `message` event,
 * and `sendMessage` hands the bot's replies to the customer. No network, no HTTP server.
 *
 * What the flow does per message is what such a bot does: find the phone's last step in the
 * history (MemoryDB keeps every message of every customer in one array), match keywords, run the
 * step's callback, send and append to the history. The shop's bookings are a Map in this process
 * (no calendar, no holds, nothing survives a restart); the free times of a day are the cells of a
 * 5-minute grid that no booking covers.
 */

/**
 * The part of BuilderBot's API the flow uses, typed here: its own declarations import their files
 * without extensions, which TypeScript's `nodenext` resolution cannot follow (everything is `any`).
 */
interface FlowArgs {
  state: { get<T = never>(key: string): T; update(values: Record<string, unknown>): Promise<void> };
  flowDynamic(messages: { body: string; buttons?: { body: string }[] }[]): Promise<void>;
  fallBack(message?: string): Promise<void>;
  endFlow(message?: string): Promise<void>;
}
type FlowCallback = (ctx: { body: string; from: string }, args: FlowArgs) => Promise<void>;
interface Flow {
  addAction(callback: FlowCallback): Flow;
  addAction(options: { capture?: boolean }, callback: FlowCallback): Flow;
}
interface SavedStep {
  from: string;
  answer?: string;
  options?: { capture?: boolean };
}
export interface BuilderBotApi {
  addKeyword(keywords: string[], options?: { sensitive?: boolean }): Flow;
  createFlow(flows: Flow[]): unknown;
  createBot(parts: { flow: unknown; database: unknown; provider: unknown }): Promise<unknown>;
  MemoryDB: new () => { listHistory: SavedStep[]; save(ctx: SavedStep): Promise<void> };
  ProviderClass: abstract new () => { emit(event: string, payload: unknown): void };
}

/** A message the bot sent to a customer, as a WhatsApp provider would get it. */
export interface PeerReply {
  body: string;
  buttons: string[];
}

export type PeerTurnEnd = 'question' | 'end';

const BOOKED = { es: '¡Reservado!', en: 'Booked!' } as const;
const TAKEN = {
  es: 'Lo siento, esa hora se acaba de ocupar. Escribe "hola" para empezar de nuevo.',
  en: 'Sorry, that time was just taken. Say "hi" to start again.',
} as const;

/**
 * Imports BuilderBot. On import it opens `core.class.log` and `queue.class.log` in the working
 * directory and logs every message there; they go to a temporary directory instead of the repo.
 */
export async function importBuilderBot(): Promise<{ bot: BuilderBotApi; logDir: string }> {
  const logDir = mkdtempSync(join(tmpdir(), 'cita-bench-builderbot-'));
  const cwd = process.cwd();
  process.chdir(logDir);
  try {
    const bot = (await import('@builderbot/bot')) as unknown as BuilderBotApi;
    return { bot, logDir };
  } finally {
    process.chdir(cwd);
  }
}

/** "2026-11-25" for `days` days from the day after `now`. */
function nextDays(now: Date, days: number): string[] {
  return Array.from({ length: days }, (_, i) =>
    new Date(now.getTime() + (i + 1) * 86_400_000).toISOString().slice(0, 10),
  );
}

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * The bot and a way to talk to it: `say` emits the customer's message on the provider and resolves
 * with the replies once the bot waits for the next answer (it saved a `capture` step) or ended the
 * flow.
 */
export async function startBuilderBotShop(bot: BuilderBotApi, shop: ShopConfig, now: Date) {
  const step = shop.booking.slotStepMinutes;
  const open = minutesOf(shop.openingHours.monday[0].from);
  const close = minutesOf(shop.openingHours.monday[0].to);
  /** Booked 5-minute cells, "2026-11-25 10:05", and the bookings. */
  const taken = new Set<string>();
  const bookings: { phone: string; day: string; time: string; serviceId: string }[] = [];
  let conflicts = 0;

  const freeTimes = (day: string, duration: number) => {
    const free: string[] = [];
    for (let start = open; start + duration <= close; start += step) {
      let ok = true;
      for (let cell = start; cell < start + duration && ok; cell += step) ok = !taken.has(`${day} ${hhmm(cell)}`);
      if (ok) free.push(hhmm(start));
    }
    return free;
  };
  /** Nine times spread over the day's free ones, as a list can show. */
  const nineOf = (times: string[]) =>
    times.length <= 9 ? times : Array.from({ length: 9 }, (_, i) => times[Math.floor((i * times.length) / 9)]);

  const lang = (_ctx: unknown, state: { get(key: string): unknown }) =>
    (state.get('language') as 'es' | 'en' | undefined) ?? 'es';

  const flow = bot
    .addKeyword(['hola', 'hi'], { sensitive: true })
    .addAction(async (ctx, { state, flowDynamic }) => {
      const language = ctx.body === 'hi' ? 'en' : 'es';
      await state.update({ language });
      await flowDynamic([
        {
          body: language === 'es' ? '¡Hola! ¿Qué te hacemos?' : 'Hi! What can we do for you?',
          buttons: shop.services.map((service) => ({ body: service.name[language] })),
        },
      ]);
    })
    .addAction({ capture: true }, async (ctx, { state, fallBack }) => {
      const language = lang(ctx, state);
      const service = shop.services.find((s) => s.name[language] === ctx.body);
      if (!service)
        return fallBack(language === 'es' ? 'Elige un servicio de la lista.' : 'Pick a service from the list.');
      await state.update({ serviceId: service.id, duration: service.durationMinutes });
    })
    .addAction(async (ctx, { state, flowDynamic }) => {
      const language = lang(ctx, state);
      await flowDynamic([
        {
          body: language === 'es' ? '¿Qué día?' : 'Which day?',
          buttons: nextDays(now, 10).map((day) => ({ body: day })),
        },
      ]);
    })
    .addAction({ capture: true }, async (ctx, { state, fallBack }) => {
      const language = lang(ctx, state);
      if (!nextDays(now, 10).includes(ctx.body))
        return fallBack(language === 'es' ? 'Elige un día de la lista.' : 'Pick a day from the list.');
      await state.update({ day: ctx.body });
    })
    .addAction(async (ctx, { state, flowDynamic }) => {
      const language = lang(ctx, state);
      const times = nineOf(freeTimes(state.get('day'), state.get('duration')));
      await state.update({ times });
      await flowDynamic([
        { body: language === 'es' ? '¿A qué hora?' : 'What time?', buttons: times.map((time) => ({ body: time })) },
      ]);
    })
    .addAction({ capture: true }, async (ctx, { state, fallBack }) => {
      const language = lang(ctx, state);
      if (!(state.get('times') as string[]).includes(ctx.body))
        return fallBack(language === 'es' ? 'Elige una hora de la lista.' : 'Pick a time from the list.');
      await state.update({ time: ctx.body });
    })
    .addAction(async (ctx, { state, flowDynamic }) => {
      const language = lang(ctx, state);
      const service = shop.services.find((s) => s.id === state.get('serviceId'))!;
      await flowDynamic([
        {
          body: `${service.name[language]}, ${state.get('day')} ${state.get('time')}, ${service.price} ${shop.currency}. ${language === 'es' ? '¿Confirmo?' : 'Shall I book it?'}`,
          buttons: [{ body: language === 'es' ? 'Confirmar' : 'Confirm' }],
        },
      ]);
    })
    .addAction({ capture: true }, async (ctx, { state, fallBack, endFlow }) => {
      const language = lang(ctx, state);
      if (ctx.body !== (language === 'es' ? 'Confirmar' : 'Confirm'))
        return fallBack(language === 'es' ? 'Pulsa "Confirmar".' : 'Tap "Confirm".');
      const day: string = state.get('day');
      const time: string = state.get('time');
      const duration: number = state.get('duration');
      const cells: string[] = [];
      for (let cell = minutesOf(time); cell < minutesOf(time) + duration; cell += step)
        cells.push(`${day} ${hhmm(cell)}`);
      // No holds: someone else may have booked the time since it was listed.
      if (cells.some((cell) => taken.has(cell))) {
        conflicts += 1;
        return endFlow(TAKEN[language]);
      }
      for (const cell of cells) taken.add(cell);
      bookings.push({ phone: ctx.from, day, time, serviceId: state.get('serviceId') });
      return endFlow(`${BOOKED[language]} ${day} ${time}.`);
    });

  /** Where each phone's replies go until its turn ends. */
  const turns = new Map<string, { replies: PeerReply[]; done: (end: PeerTurnEnd) => void }>();

  class InProcessProvider extends bot.ProviderClass {
    globalVendorArgs = { name: 'bench' };
    protected beforeHttpServerInit(): void {}
    protected afterHttpServerInit(): void {}
    protected busEvents() {
      return [];
    }
    protected async initVendor(): Promise<void> {}
    async saveFile(): Promise<string> {
      return '';
    }
    async sendMessage<K = unknown>(
      userId: string,
      message: string,
      args?: { options?: { buttons?: { body: string }[] } },
    ): Promise<K> {
      turns.get(userId)?.replies.push({ body: message, buttons: (args?.options?.buttons ?? []).map((b) => b.body) });
      return { userId } as K;
    }
  }

  /** MemoryDB as it is, watched: a saved `capture` step means the bot now waits for this phone. */
  class WatchedMemoryDB extends bot.MemoryDB {
    override async save(ctx: SavedStep): Promise<void> {
      await super.save(ctx);
      const end: PeerTurnEnd | undefined = ctx.options?.capture
        ? 'question'
        : ctx.answer === '__end_flow__'
          ? 'end'
          : undefined;
      if (end) turns.get(ctx.from)?.done(end);
    }
  }

  const provider = new InProcessProvider();
  const database = new WatchedMemoryDB();
  const instance = await bot.createBot({ flow: bot.createFlow([flow]), database, provider });

  return {
    database,
    bookings,
    get conflicts() {
      return conflicts;
    },
    /** The customer sends `body`; resolves with the bot's replies when it waits for the next one. */
    say(phone: string, body: string): Promise<{ replies: PeerReply[]; end: PeerTurnEnd }> {
      return new Promise((resolve, reject) => {
        const replies: PeerReply[] = [];
        const timer = setTimeout(() => {
          turns.delete(phone);
          reject(new Error(`BuilderBot did not answer "${body}" within 20 s`));
        }, 20_000);
        turns.set(phone, {
          replies,
          done: (end) => {
            clearTimeout(timer);
            turns.delete(phone);
            resolve({ replies, end });
          },
        });
        provider.emit('message', { from: phone, body, name: 'Cliente' } as never);
      });
    },
    /** Double bookings: cells booked twice (the Set makes it impossible; counted to show it). */
    doubleBookings() {
      const seen = new Map<string, number>();
      for (const booking of bookings) {
        const service = shop.services.find((s) => s.id === booking.serviceId)!;
        for (
          let cell = minutesOf(booking.time);
          cell < minutesOf(booking.time) + service.durationMinutes;
          cell += step
        ) {
          const key = `${booking.day} ${hhmm(cell)}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
      }
      return [...seen.values()].filter((count) => count > 1).length;
    },
    instance,
    isBooked: (reply: PeerReply) => reply.body.startsWith(BOOKED.es) || reply.body.startsWith(BOOKED.en),
    isTaken: (reply: PeerReply) => reply.body === TAKEN.es || reply.body === TAKEN.en,
  };
}

export type BuilderBotShop = Awaited<ReturnType<typeof startBuilderBotShop>>;
