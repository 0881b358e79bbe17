import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { ShopConfig } from '../../config/schema.ts';
import { ShopId } from '../../config/shop-id.ts';

/** The name of an environment variable holding a secret: the secret itself never sits in a shop file. */
const EnvName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the name of an environment variable, e.g. "EL_BIGOTE_TOKEN"');

/** What a shop file adds to the shop's configuration: who it is, its number, where its secrets are. */
export const ShopIdentity = z.object({
  id: ShopId,
  whatsapp: z.object({
    /** The business number's id from Meta: webhooks for it are this shop's. */
    phoneNumberId: z.string().regex(/^\d+$/, 'must be the numeric phone number id from Meta'),
    /** The variable holding this number's access token; default WHATSAPP_ACCESS_TOKEN. */
    accessTokenEnv: EnvName.optional(),
    /** The variable holding the secret of the Meta app this number belongs to; default WHATSAPP_APP_SECRET. */
    appSecretEnv: EnvName.optional(),
  }),
  /** The shop's Google Calendar; without it, its bookings are kept by cita (SQLite or Redis). */
  google: z
    .object({
      calendarId: z.string().min(1),
      /** The variable holding the service account's JSON key (or a path to it); default GOOGLE_SERVICE_ACCOUNT_JSON. */
      credentialsEnv: EnvName.optional(),
    })
    .optional(),
});
export type ShopIdentity = z.infer<typeof ShopIdentity>;

/** One shop as served: its id, its configuration, and what the file says about its number and secrets. */
export interface Shop {
  id: string;
  config: ShopConfig;
  /** The file it was read from. */
  file: string;
  whatsapp?: ShopIdentity['whatsapp'];
  google?: ShopIdentity['google'];
}

export class ShopFileError extends Error {}

/**
 * Reads one shop file: the shop's configuration (the same schema as SHOP_CONFIG) plus `id` and
 * `whatsapp`. An invalid file throws a ShopFileError naming the file and every bad field.
 *
 * @example
 * const shop = readShopFile('shops/el-bigote.json');
 */
export function readShopFile(path: string): Shop {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ShopFileError(`Cannot read the shop file ${path}: ${(error as Error).message}`);
  }
  return parseShopFile(text, path);
}

/** A shop file's text, read as `readShopFile` does. */
export function parseShopFile(text: string, path: string): Shop {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ShopFileError(`The shop file ${path} is not JSON: ${(error as Error).message}`);
  }
  const identity = ShopIdentity.safeParse(raw);
  const config = ShopConfig.safeParse(raw);
  const problems = [
    ...(identity.success ? [] : [z.prettifyError(identity.error)]),
    ...(config.success ? [] : [z.prettifyError(config.error)]),
  ];
  if (!identity.success || !config.success) {
    throw new ShopFileError(`The shop file ${path} is invalid:\n${problems.join('\n')}`);
  }
  return { ...identity.data, config: config.data, file: path };
}

/** Shop files are the JSON files of the folder; anything else (a README, an editor's backup) is not one. */
export function isShopFile(name: string): boolean {
  return name.endsWith('.json') && !basename(name).startsWith('.');
}
