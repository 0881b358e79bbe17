import { z } from 'zod';

/**
 * Who a customer is, as WhatsApp names them: their phone (digits of the international number, no
 * "+"), or, for someone who uses a WhatsApp username and shares no phone, the business-scoped user
 * id Meta gives instead ("US.13491208655302741918", a parent id "US.ENT.…"). The two never look
 * alike: a phone is digits only, a user id always has letters.
 */
export const PHONE_PATTERN = /^\d{6,15}$/;

/**
 * Meta documents a user id as a country code, a dot and up to 128 letters and digits; it is read a
 * little more loosely (what Meta sends is stored and sent back as it came) but never with
 * characters that could break a storage key or a log line.
 */
export const USER_ID_PATTERN = /^(?=.*[A-Za-z])[A-Za-z0-9][A-Za-z0-9._-]{1,159}$/;

export const UserId = z.string().regex(USER_ID_PATTERN, 'must be a WhatsApp business-scoped user id');

export const CustomerId = z
  .string()
  .refine(
    (id) => PHONE_PATTERN.test(id) || USER_ID_PATTERN.test(id),
    'must be the digits of an international phone number or a WhatsApp business-scoped user id',
  );

/** True for a customer known only by their WhatsApp user id: no phone to call, no wa.me link. */
export function isUserId(customer: string): boolean {
  return !PHONE_PATTERN.test(customer) && USER_ID_PATTERN.test(customer);
}
