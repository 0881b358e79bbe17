import { type Inbox, isInternal } from '../engine/ports.ts';
import type { CitaMetrics } from './registry.ts';

/**
 * The inbox, counting what arrives: accepted messages by kind and redeliveries dropped. It also
 * stamps each message with the wall-clock time it was accepted (`acceptedAt`), stored with it, so
 * whichever process answers can measure accept-to-reply latency, even with a fixed shop clock.
 */
export function meteredInbox(inbox: Inbox, metrics: CitaMetrics): Inbox {
  if (inbox.depth) metrics.watchInboxDepth(() => inbox.depth!());
  return {
    async accept(message) {
      const outcome = await inbox.accept({ ...message, acceptedAt: message.acceptedAt ?? new Date().toISOString() });
      // A hand-back cita queued itself is not a message anyone sent.
      if (isInternal(message.id)) return outcome;
      if (outcome === 'accepted') metrics.inboundMessages.inc({ kind: message.content.kind });
      else metrics.duplicates.inc();
      return outcome;
    },
    claim: () => inbox.claim(),
    ack: (message) => inbox.ack(message),
    // The options carry the shutdown's hand-back delay: dropping them would let another process take the message at once.
    retry: (message, options) => inbox.retry(message, options),
    waitForWork: (ms) => inbox.waitForWork(ms),
    close: () => inbox.close(),
    ...(inbox.depth ? { depth: () => inbox.depth!() } : {}),
  };
}
