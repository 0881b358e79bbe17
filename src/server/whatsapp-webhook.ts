import { timingSafeEqual } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Hono } from 'hono';
import { z } from 'zod';
import {
  type CustomerMessage,
  type DropReason,
  type IgnoreLabel,
  readWebhook,
} from '../../adapters/whatsapp/inbound.ts';
import { hasValidSignature } from '../../adapters/whatsapp/signature.ts';
import { logStatus, type StatusRecorder } from '../../adapters/whatsapp/statuses.ts';
import { WebhookPayload } from '../../adapters/whatsapp/webhook-schema.ts';
import type { Clock, CustomerAliases, Inbox } from '../engine/ports.ts';
import { log, phoneRef } from '../log.ts';
import { limitBody } from './body-limit.ts';

/** Meta's notifications are a few kilobytes, even batched; anything far bigger is not from Meta. */
export const WHATSAPP_BODY_LIMIT_BYTES = 1024 * 1024;

export interface WhatsAppWebhookOptions {
  /** The token typed into Meta's webhook settings, echoed back to prove we own the URL. */
  verifyToken: string;
  /** The Meta app's secret: every POST is signed with it. */
  appSecret: string;
  inbox: Pick<Inbox, 'accept'>;
  /** Delivery statuses of the messages cita sent. Default: logged. */
  recordStatus?: StatusRecorder;
  clock?: Clock;
  maxBodyBytes?: number;
  /** Our business number's id (WHATSAPP_PHONE_NUMBER_ID): changes for another number are dropped. */
  phoneNumberId?: string;
  /**
   * Many shops: the shop owning a business number and the secret of the Meta app the number
   * belongs to; a change for a number no shop owns, or signed by another app, is dropped.
   */
  shopFor?: (phoneNumberId: string | undefined) => { shop: string; appSecret: string } | undefined;
  /** Many shops: every app secret a POST may be signed with (the deployment's and the shops' own). */
  appSecrets?: () => Iterable<string>;
  /** Told of every item refused at the border (metrics). */
  onDropped?: (reason: DropReason) => void;
  /** Told of every item that needs no answer, by why (metrics). */
  onIgnored?: (label: IgnoreLabel | 'echo_of_cita') => void;
  /**
   * Keeps a customer seen by phone and by WhatsApp user id as one, at the shop written to (a user id
   * is scoped to the business account). Without it a message with only a user id is its own customer.
   */
  aliases?: (shop: string) => CustomerAliases | undefined;
  /**
   * Whether cita itself sent the message with this id to the shop's customer: an echo of it changes
   * nothing. Without it every echo is taken as the shop writing by hand.
   */
  sentByCita?: (shop: string, customer: string, messageId: string) => Promise<boolean>;
}

/** Items handled between two yields to the event loop: a POST of thousands must not stall other requests. */
const ITEMS_PER_TURN = 100;

/** What the POST did, in the 200's body: Meta ignores it, people reading logs and tests do not. */
export interface WebhookReceipt {
  accepted: number;
  duplicates: number;
  statuses: number;
  ignored: number;
  /** Items refused at the border (unreadable, for another number, a forged simulator id). */
  dropped: number;
}

/**
 * Meta's webhook for the WhatsApp Cloud API, to mount at `/webhook/whatsapp`. `GET` answers the
 * subscription check; `POST` checks the signature, puts each customer message into the inbox and
 * answers 200 at once. Nothing else happens before the 200: Meta retries slow answers, and the
 * worker does the thinking.
 *
 * @example
 * app.route('/webhook/whatsapp', whatsAppWebhook({ verifyToken, appSecret, inbox }));
 */
export function whatsAppWebhook(options: WhatsAppWebhookOptions) {
  const {
    verifyToken,
    appSecret,
    inbox,
    recordStatus = logStatus,
    clock = () => new Date(),
    maxBodyBytes = WHATSAPP_BODY_LIMIT_BYTES,
    phoneNumberId,
    shopFor,
    appSecrets = () => [appSecret],
    onDropped = () => {},
    onIgnored = () => {},
    aliases,
    sentByCita,
  } = options;

  /** The customer WhatsApp says wrote, kept as one across phone and user id. */
  async function customerOf(update: CustomerMessage): Promise<string> {
    const shopAliases = update.userId === undefined ? undefined : aliases?.(update.message.shop);
    if (update.userId === undefined || shopAliases === undefined) return update.message.phone;
    return shopAliases.resolve(update.userId, update.message.phone);
  }
  const webhook = new Hono();

  webhook.get('/', function verifySubscription(c) {
    const mode = c.req.query('hub.mode');
    const token = c.req.query('hub.verify_token');
    const challenge = c.req.query('hub.challenge');
    if (mode === 'subscribe' && token !== undefined && sameText(token, verifyToken) && challenge) {
      log.info({ event: 'whatsapp.webhook.verified' }, 'Meta verified the webhook');
      return c.text(challenge, 200);
    }
    log.warn({ event: 'whatsapp.webhook.verification_refused', mode }, 'webhook verification refused');
    return c.text('verification failed: hub.mode must be "subscribe" and hub.verify_token must match', 403);
  });

  webhook.post(
    '/',
    limitBody(maxBodyBytes, (c) => c.json({ error: `body larger than ${maxBodyBytes} bytes` }, 413)),
    async function receiveNotification(c) {
      const rawBody = new Uint8Array(await c.req.arrayBuffer());
      // Which app signed it is known before the body is read: only then is the body trusted enough
      // to say which numbers (and so which shops) it is for, and each must be of that app.
      const signature = c.req.header('x-hub-signature-256');
      const signer = [...new Set(appSecrets())].find((secret) => hasValidSignature(rawBody, signature, secret));
      if (signer === undefined) {
        log.warn({ event: 'whatsapp.webhook.bad_signature' }, 'webhook POST with a missing or wrong signature');
        return c.json({ error: 'missing or wrong X-Hub-Signature-256' }, 401);
      }
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(rawBody));
      } catch {
        return c.json({ error: 'body is not JSON' }, 400);
      }
      const payload = WebhookPayload.safeParse(json);
      if (!payload.success) {
        return c.json({ error: `not a WhatsApp Business webhook payload: ${z.prettifyError(payload.error)}` }, 400);
      }

      const receipt: WebhookReceipt = { accepted: 0, duplicates: 0, statuses: 0, ignored: 0, dropped: 0 };
      const updates = readWebhook(
        payload.data,
        clock(),
        shopFor
          ? {
              shopFor: (number) => {
                const route = shopFor(number);
                return route && route.appSecret === signer ? route.shop : undefined;
              },
            }
          : { phoneNumberId },
      );
      /** Statuses being recorded: written side by side, all done before the 200. */
      const statusWrites: Promise<unknown>[] = [];
      for (const [index, update] of updates.entries()) {
        if (index > 0 && index % ITEMS_PER_TURN === 0) await nextTurn();
        if (update.kind === 'message') {
          let outcome: 'accepted' | 'duplicate' | 'ownEcho';
          try {
            const message = { ...update.message, phone: await customerOf(update) };
            const ownEcho =
              message.content.kind === 'staffWrote' &&
              (await sentByCita?.(message.shop, message.phone, message.id)) === true;
            outcome = ownEcho ? 'ownEcho' : await inbox.accept(message);
          } catch (error) {
            // Not stored means not acknowledged: Meta redelivers the whole payload later, and the
            // messages already accepted from it are then recognised as duplicates.
            log.error({ event: 'whatsapp.inbox_unavailable', messageId: update.message.id, error: String(error) });
            return c.json({ error: 'the inbox cannot store messages right now; deliver again later' }, 503);
          }
          if (outcome === 'ownEcho') {
            receipt.ignored += 1;
            onIgnored('echo_of_cita');
            log.info(
              {
                event: 'whatsapp.update.ignored',
                reason: 'an echo of a message cita sent',
                messageId: update.message.id,
              },
              'webhook update needs no answer',
            );
            continue;
          }
          receipt[outcome === 'accepted' ? 'accepted' : 'duplicates'] += 1;
          // One info line per message is the worker's "message handled"; the acceptance is a debug line.
          const level = outcome === 'accepted' ? 'debug' : 'info';
          if (log.isLevelEnabled(level)) {
            log[level](
              {
                event: outcome === 'accepted' ? 'whatsapp.message.accepted' : 'whatsapp.message.duplicate',
                messageId: update.message.id,
                phoneRef: phoneRef(update.message.phone),
                kind: update.message.content.kind,
              },
              outcome === 'accepted' ? 'message accepted' : 'message already accepted; redelivery ignored',
            );
          }
        } else if (update.kind === 'status') {
          receipt.statuses += 1;
          const written = recordStatus(update.status, update.shop);
          if (written instanceof Promise) statusWrites.push(written);
        } else if (update.kind === 'dropped') {
          receipt.dropped += 1;
          onDropped(update.reason);
          log.warn(
            { event: 'whatsapp.update.dropped', reason: update.reason, messageId: update.messageId },
            'webhook item refused at the border; the rest of the batch is handled',
          );
        } else {
          receipt.ignored += 1;
          onIgnored(update.label);
          log.info(
            {
              event: 'whatsapp.update.ignored',
              reason: update.reason,
              messageId: update.messageId,
              type: update.type,
              errorCodes: update.errors?.map((error) => error.code),
            },
            'webhook update needs no answer',
          );
        }
      }
      try {
        await Promise.all(statusWrites);
      } catch (error) {
        // A status not recorded may be the only word that a reply reached the customer: Meta
        // delivers the POST again (its messages are then duplicates), and a resend waits for it.
        log.error({ event: 'whatsapp.status_unrecorded', error: String(error) }, 'could not record a status');
        return c.json({ error: 'statuses cannot be recorded right now; deliver again later' }, 503);
      }
      return c.json(receipt, 200);
    },
  );

  return webhook;
}

/**
 * A placeholder for `/webhook/whatsapp` when WhatsApp is not configured: Meta (or a person
 * setting it up) gets a 503 that says what is missing, instead of a bare 404.
 */
export function whatsAppNotConfigured(missing: readonly string[]) {
  const webhook = new Hono();
  webhook.all('/', function notConfigured(c) {
    return c.json(
      {
        error: `WhatsApp is not connected: set ${missing.join(', ')} (see "Connecting WhatsApp" in the README). Until then cita answers only the simulator.`,
      },
      503,
    );
  });
  return webhook;
}

/** Compares secrets without leaking through timing how much of them matched. */
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
