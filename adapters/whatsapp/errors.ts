/**
 * What cita does about each answer Meta gives, keyed on the error `code` (Meta retires titles; it
 * recommends `code` and `error_data.details`). The same codes come back on a send's error response
 * and, later, on a `failed` status webhook.
 */

/** Free-form message outside the customer's 24-hour window: only a template can reach them. */
export const OUTSIDE_CUSTOMER_WINDOW = 131047;

/** What a refusal means for cita. */
export type SendFailureKind =
  /** 131047: send the template where one exists. */
  | 'outsideWindow'
  /** 131026, 131049, 130472: the customer cannot be reached now; never retried. */
  | 'unreachable'
  /** 130429 and Graph's own rate limits: this number sends too fast; slow the number and retry. */
  | 'throughput'
  /** 131056: too many messages to this one customer; wait for this customer and retry. */
  | 'pairLimit'
  /** 132000–132016: the template is missing, paused, disabled or given the wrong parameters. */
  | 'template'
  /** 190: the access token expired or was revoked; nothing can be sent until it is replaced. */
  | 'tokenExpired'
  /** A 5xx or a network failure: worth another try. */
  | 'transient'
  /** Anything else Meta refused: the message itself is wrong; sending it again cannot help. */
  | 'refused';

const UNREACHABLE = new Set([131026, 131049, 130472]);
const THROUGHPUT = new Set([4, 80007, 130429]);
const PAIR_LIMIT = 131056;
const TOKEN_EXPIRED = 190;
const FIRST_TEMPLATE_CODE = 132000;
const LAST_TEMPLATE_CODE = 132016;

/** The kind of a refusal, from Meta's code (and, without one, the HTTP status). */
export function sendFailureKind(code: number | undefined, httpStatus?: number): SendFailureKind {
  if (code === OUTSIDE_CUSTOMER_WINDOW) return 'outsideWindow';
  if (code !== undefined && UNREACHABLE.has(code)) return 'unreachable';
  if (code !== undefined && THROUGHPUT.has(code)) return 'throughput';
  if (code === PAIR_LIMIT) return 'pairLimit';
  if (code === TOKEN_EXPIRED) return 'tokenExpired';
  if (code !== undefined && code >= FIRST_TEMPLATE_CODE && code <= LAST_TEMPLATE_CODE) return 'template';
  if (httpStatus === undefined || httpStatus === 429 || httpStatus >= 500) return 'transient';
  return 'refused';
}

/** Kinds worth waiting for and trying again: they pass with time. */
export function isWorthRetrying(kind: SendFailureKind): boolean {
  return kind === 'throughput' || kind === 'pairLimit' || kind === 'transient';
}
