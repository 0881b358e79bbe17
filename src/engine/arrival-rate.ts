import { type Inbox, isInternal, type RateLimiter } from './ports.ts';

/**
 * The inbox, with each phone's messages counted against its rate limit as they arrive (webhook,
 * simulator, terminal chat), before they wait for a worker. Counted later, when a worker reaches
 * them, a burst that waits behind a slow model would be spread over more time than it took to send
 * and slip under the limit. A message over the limit is still stored, marked, so that it is
 * answered in order: once with "slow down", then not at all.
 *
 * @example
 * const inbox = rateCountedAtArrival(new SqliteInbox(database), new SqliteRateLimiter(database));
 */
export function rateCountedAtArrival(inbox: Inbox, limiter: RateLimiter): Inbox {
  return {
    async accept(message) {
      // A hand-back cita queues itself is no message from the customer: it never counts against them.
      if (isInternal(message.id)) return inbox.accept(message);
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
