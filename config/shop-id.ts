import { z } from 'zod';

/** A shop's id: in every stored key, in logs and metrics, and in the simulator's picker. */
export const ShopId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes (at most 63), e.g. "el-bigote"');
export type ShopId = z.infer<typeof ShopId>;

/**
 * The id of the shop of the single-shop set-up (`SHOP_CONFIG`) when its file names none. Fixed, so
 * data stored before shops had ids (migrated to it) stays the shop's whatever its file is called.
 */
export const DEFAULT_SHOP_ID = 'default';
