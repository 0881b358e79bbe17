import { createHmac } from 'node:crypto';
import { pino } from 'pino';

/**
 * Structured JSON logs, one event per line. Phone numbers appear only as `phoneRef`, a keyed hash;
 * message text and customer names are never logged.
 */
export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' || process.env.VITEST ? 'silent' : 'info'),
  base: { app: 'cita' },
});

const secret = process.env.LOG_HASH_SECRET ?? 'cita-default-log-secret';

/** A stable, non-reversible reference to a phone number for correlating log lines. */
export function phoneRef(phone: string): string {
  return createHmac('sha256', secret).update(phone).digest('base64url').slice(0, 12);
}
