import { type InboundMessage, type Inbox, isInternal, type RateLimiter } from '../engine/ports.ts';
import type { CitaMetrics } from './registry.ts';

/**
 * The inbox, counting what arrives: accepted messages by kind and redeliveries dropped. It also
 * stamps each message with the wall-clock time it was accepted (`acceptedAt`), stored with it, so
 * whichever process answers can measure accept-to-reply latency, even with a fixed shop clock.
 */
export function meteredInbox(inbox: Inbox, metrics: CitaMetrics): Inbox {
  if (inbox.depth) metrics.watchInboxDepth(() => inbox.depth!());
  const stamped = (message: InboundMessage) => ({
    ...message,
    acceptedAt: message.acceptedAt ?? new Date().toISOString(),
  });
  const counted = (message: InboundMessage, outcome: 'accepted' | 'duplicate') => {
    // A hand-back cita queued itself is not a message anyone sent.
    if (isInternal(message.id)) return outcome;
    if (outcome === 'accepted') metrics.inboundMessages.inc({ kind: message.content.kind });
    else metrics.duplicates.inc();
    return outcome;
  };
  return {
    accept: async (message) => counted(message, await inbox.accept(stamped(message))),
    ...(inbox.acceptCounted
      ? {
          acceptCounted: async (message: InboundMessage, limiter: RateLimiter) =>
            counted(message, await inbox.acceptCounted!(stamped(message), limiter)),
        }
      : {}),
    claim: () => inbox.claim(),
    ack: (message) => inbox.ack(message),
    // The options carry the shutdown's hand-back delay: dropping them would let another process take the message at once.
    retry: (message, options) => inbox.retry(message, options),
    waitForWork: (ms) => inbox.waitForWork(ms),
    close: () => inbox.close(),
    ...(inbox.depth ? { depth: () => inbox.depth!() } : {}),
  };
}
