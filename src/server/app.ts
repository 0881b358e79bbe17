import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { WHATSAPP_REQUIRED, type WhatsAppConfig } from '../../adapters/whatsapp/config.ts';
import { logStatus, type StatusRecorder } from '../../adapters/whatsapp/statuses.ts';
import { ShopId } from '../../config/shop-id.ts';
import type { Cita } from '../cita.ts';
import { NoReplyInTime, Phone, SIMULATED_ID_PREFIX } from '../engine/ports.ts';
import { log } from '../log.ts';
import { limitBody } from './body-limit.ts';
import { googleCalendarWebhook } from './google-calendar-webhook.ts';
import type { ReadinessCheck } from './health.ts';
import { opsRoutes } from './ops.ts';
import { simulatorInspection } from './simulator-api.ts';
import { simulatorPage } from './simulator-page.ts';
import { type WhatsAppWebhookOptions, whatsAppNotConfigured, whatsAppWebhook } from './whatsapp-webhook.ts';

/** Simulator requests are small; anything bigger is not a chat message. */
export const SIMULATOR_BODY_LIMIT_BYTES = 16 * 1024;

const SimulatorMessage = z.union([
  z.object({
    phone: Phone,
    text: z.string().max(10_000),
    name: z.string().max(256).optional(),
    shop: ShopId.optional(),
  }),
  z.object({
    phone: Phone,
    replyId: z.string().min(1).max(256),
    /** The option's title as the page showed it: what the transcript shows the customer tapped. */
    title: z.string().max(256).optional(),
    name: z.string().max(256).optional(),
    shop: ShopId.optional(),
  }),
]);

export interface AppOptions {
  /** Connects Meta's webhook; without it `/webhook/whatsapp` answers 503 and `/` is the simulator page. */
  whatsapp?: Pick<WhatsAppConfig, 'appSecret' | 'verifyToken'> &
    Partial<Pick<WhatsAppConfig, 'phoneNumberId'>> &
    Pick<WhatsAppWebhookOptions, 'shopFor' | 'appSecrets' | 'sentByCita'> & { recordStatus?: StatusRecorder };
  /** `METRICS_TOKEN`: when set, `/metrics` needs it as a bearer token. */
  metricsToken?: string;
  /** What `/readyz` checks besides "not shutting down". */
  readiness?: ReadinessCheck[];
  /**
   * True once a shutdown began: new messages get a 503 (Meta delivers them again later, to a
   * process that is up) and `/readyz` fails, while the messages in hand are finished.
   */
  isDraining?: () => boolean;
}

/** How long Meta (or the simulator page) is asked to wait before trying again during a shutdown. */
export const RETRY_AFTER_SECONDS = 5;

const DROP_LABELS = {
  unreadable: 'unreadable',
  unreadableStatus: 'unreadable_status',
  unreadableContact: 'unreadable_contact',
  unreadableError: 'unreadable_error',
  unreadableEcho: 'unreadable_echo',
  unreadableEntry: 'unreadable_entry',
  unreadableChange: 'unreadable_change',
  unreadableList: 'unreadable_list',
  notOurNumber: 'not_our_number',
  simulatorId: 'simulator_id',
} as const;

/** Meta's delivery statuses; anything else is counted as "other", so a label never grows without bound. */
const DELIVERY_STATUSES = new Set(['sent', 'delivered', 'read', 'failed', 'played', 'deleted', 'warning']);

/**
 * The HTTP face of cita.
 *
 * @example
 * serve({ fetch: createApp(cita, { whatsapp }).fetch, port: 3000 });
 */
export function createApp(cita: Cita, options: AppOptions = {}) {
  const app = new Hono();
  const isDraining = options.isDraining ?? (() => false);

  app.route(
    '/',
    opsRoutes({
      metrics: cita.metrics,
      metricsToken: options.metricsToken,
      readiness: options.readiness,
      isDraining,
      shops: cita.shops,
    }),
  );

  app.use('*', async function refuseWhileDraining(c, next) {
    if (c.req.method !== 'POST' || !isDraining()) return next();
    c.header('Retry-After', String(RETRY_AFTER_SECONDS));
    return c.json({ error: 'cita is shutting down; deliver again shortly' }, 503);
  });

  // Google's push notifications (only a channel cita opened gets past the check).
  app.route('/webhook/google-calendar', googleCalendarWebhook({ watchers: cita.calendarWatchers }));

  if (options.whatsapp) {
    const recordStatus = options.whatsapp.recordStatus ?? logStatus;
    app.route(
      '/webhook/whatsapp',
      whatsAppWebhook({
        ...options.whatsapp,
        inbox: cita.inbox,
        clock: cita.clock,
        aliases: (shop) => cita.forShop(shop)?.aliases,
        onDropped: (reason) => cita.metrics.inboundDropped.inc({ reason: DROP_LABELS[reason] }),
        onIgnored: (reason) => cita.metrics.inboundIgnored.inc({ reason }),
        recordStatus: (status, shop) => {
          const known = DELIVERY_STATUSES.has(status.status);
          cita.metrics.outboundStatuses.inc({ status: known ? status.status : 'other' });
          recordStatus(status, shop);
          // The status is of a message the shop's own number sent: its messenger waits for it.
          const messenger = shop === undefined ? cita.messenger : cita.forShop(shop)?.messenger;
          return messenger?.statusReceived?.(status);
        },
      }),
    );
  } else {
    app.route('/webhook/whatsapp', whatsAppNotConfigured(WHATSAPP_REQUIRED));
    /** The shop a simulator request picks (`shop`), or the first one served. */
    const served = (id: string | undefined) => cita.forShop(id ?? cita.shops.list()[0]?.id ?? '');
    app.get('/', function simulatorHome(c) {
      const runtime = served(c.req.query('shop'));
      if (!runtime) return c.json({ error: `no shop "${c.req.query('shop') ?? ''}" is served` }, 404);
      const shops = cita.shops.list().map((shop) => ({ id: shop.id, name: shop.config.name }));
      return c.html(simulatorPage(runtime.deps.shop, { shops, current: runtime.shop.id }));
    });
    // The page's side panel: a conversation's state and context (only with the simulator).
    app.route(
      '/simulator',
      simulatorInspection((id) => served(id)?.deps),
    );
    // Anyone who can reach it may speak as any phone: with real customers on WhatsApp it is not served.
    app.post(
      '/simulator/messages',
      limitBody(SIMULATOR_BODY_LIMIT_BYTES, (c) =>
        c.json({ error: `body larger than ${SIMULATOR_BODY_LIMIT_BYTES} bytes` }, 413),
      ),
      async function simulatorMessage(c) {
        let body: unknown;
        try {
          body = await c.req.json();
        } catch {
          return c.json({ error: 'body is not JSON' }, 400);
        }
        const parsed = SimulatorMessage.safeParse(body);
        if (!parsed.success) {
          return c.json(
            { error: `expected { phone, text } or { phone, replyId }: ${z.prettifyError(parsed.error)}` },
            400,
          );
        }
        const { phone, name, shop } = parsed.data;
        const runtime = served(shop);
        if (!runtime) return c.json({ error: `no shop "${shop}" is served: pick one of the page's shops` }, 404);
        const content =
          'text' in parsed.data
            ? { kind: 'text' as const, text: parsed.data.text }
            : {
                kind: 'reply' as const,
                replyId: parsed.data.replyId,
                ...(parsed.data.title ? { title: parsed.data.title } : {}),
              };
        // The message's id is answered too: its entry in the conversation's transcript has it.
        const id = `${SIMULATED_ID_PREFIX}${randomUUID()}`;
        try {
          const replies = await cita.converse(phone, content, {
            id,
            shop: runtime.shop.id,
            ...(name ? { customerName: name } : {}),
          });
          return c.json({ id, replies });
        } catch (error) {
          if (error instanceof NoReplyInTime) {
            return c.json(
              {
                id,
                error: `no reply within ${error.timeoutMs / 1000} s: the calendar or the language model is slow. The message was taken and its turn may still finish; look at the conversation before sending it again.`,
              },
              504,
            );
          }
          log.error({ event: 'simulator.message_failed', error: String(error) }, 'simulator message failed');
          return c.json(
            { error: 'the message could not be taken right now (the inbox is unavailable); try again shortly' },
            503,
          );
        }
      },
    );
  }

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  return app;
}
