import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ShopConfig } from './schema.ts';

export const DEFAULT_SHOP_CONFIG = fileURLToPath(new URL('./barbershop.json', import.meta.url));

export class ShopConfigError extends Error {}

/**
 * Reads and validates the shop's configuration. An invalid file throws a ShopConfigError whose
 * message names every bad field and what is wrong with it, so start-up can stop with it.
 *
 * @example
 * const shop = loadShopConfig(process.env.SHOP_CONFIG);
 */
export function loadShopConfig(path: string = DEFAULT_SHOP_CONFIG): ShopConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ShopConfigError(`Cannot read the shop configuration ${path}: ${(error as Error).message}`);
  }
  const parsed = ShopConfig.safeParse(raw);
  if (!parsed.success) {
    throw new ShopConfigError(`The shop configuration ${path} is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
