import { type InboundMessage, type Inbox, isInternal, type RateLimiter } from './ports.ts';

/**
 * The inbox, with each phone's messages counted against its rate limit as they arrive (webhook,
 * simulator, terminal chat), before they wait for a worker. Counted later, when a worker reaches
 * them, a burst that waits behind a slow model would be spread over more time than it took to send
 * and slip under the limit. A message over the limit is still stored, marked, so that it is
 * answered in order: once with "slow down", then not at all. `limiterOf` names the limiter of the
 * message's shop (none: not counted); an inbox that can count with it stores in the same step.
 *
 * @example
 * const limiter = new SqliteRateLimiter(database);
 * const inbox = rateCountedAtArrival(new SqliteInbox(database), () => limiter);
 */
export function rateCountedAtArrival(
  inbox: Inbox,
  limiterOf: (message: InboundMessage) => RateLimiter | undefined,
): Inbox {
  return {
    async accept(message) {
      // A hand-back cita queues itself is no message from the customer: it never counts against them.
      const limiter = isInternal(message.id) ? undefined : limiterOf(message);
      if (!limiter) return inbox.accept(message);
      if (inbox.acceptCounted) return inbox.acceptCounted(message, limiter);
      const verdict = await limiter.check(message);
      return inbox.accept(verdict === 'allowed' ? message : { ...message, overLimit: verdict });
    },
    claim: () => inbox.claim(),
    ack: (message) => inbox.ack(message),
    retry: (message, options) => inbox.retry(message, options),
    waitForWork: (ms) => inbox.waitForWork(ms),
    close: () => inbox.close(),
    ...(inbox.depth ? { depth: () => inbox.depth!() } : {}),
  };
}
