import { log, phoneRef } from '../../src/log.ts';
import { OUTSIDE_CUSTOMER_WINDOW } from './errors.ts';
import type { MessageStatus } from './inbound.ts';

/**
 * Where delivery statuses of cita's messages go. They are recorded, never answered; a recorder
 * that writes returns its promise, and the webhook answers 200 only once it is written. `shop` is
 * the shop owning the number the status came on (many shops).
 */
export type StatusRecorder = (status: MessageStatus, shop?: string) => unknown;

/**
 * The default recorder: one log line per status, a warning with Meta's error codes for a failed
 * one (the only status someone may need to act on).
 */
export const logStatus: StatusRecorder = function logStatus(status) {
  // Three statuses come for every message sent: the common ones cost nothing unless debugging.
  if (status.status !== 'failed' && !log.isLevelEnabled('debug')) return;
  const context = {
    event: 'whatsapp.status',
    messageId: status.messageId,
    status: status.status,
    phoneRef: status.recipient ? phoneRef(status.recipient) : undefined,
  };
  if (status.status === 'failed') {
    const codes = status.errors.map((error) => error.code);
    const outsideWindow = codes.includes(OUTSIDE_CUSTOMER_WINDOW);
    log.warn(
      { ...context, errorCodes: codes, details: status.errors.map((e) => e.error_data?.details), outsideWindow },
      outsideWindow ? 'message not delivered: outside the 24-hour customer window' : 'message not delivered',
    );
  } else {
    log.debug(context, 'message status');
  }
};
