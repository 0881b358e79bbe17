/** How long a customer's WhatsApp profile name may be where the shop reads it (calendar, notices, agenda). */
export const CUSTOMER_NAME_CHARS = 40;

/**
 * A customer's WhatsApp profile name as cita keeps it: without control and format characters
 * (newlines, bidi overrides, zero-width joiners used to hide text), spaces collapsed, cut to
 * CUSTOMER_NAME_CHARS. Nothing left: no name.
 *
 * @example
 * cleanCustomerName('Ana\u202E\nLópez') // "Ana López"
 */
export function cleanCustomerName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const clean = raw
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!clean) return undefined;
  const chars = Array.from(clean);
  return chars.length > CUSTOMER_NAME_CHARS ? `${chars.slice(0, CUSTOMER_NAME_CHARS - 1).join('')}…` : clean;
}

/**
 * The name as the customer gave it, in quotes, so that whatever it says ("⚠️ CANCELADA") reads as
 * what they call themselves and never as cita's own words.
 *
 * @example
 * quotedCustomerName('Carlos') // "“Carlos”"
 */
export function quotedCustomerName(name: string): string {
  return `“${cleanCustomerName(name) ?? ''}”`;
}
