import type { Shop } from './shop-file.ts';

/** The deployment's WhatsApp settings, which serve every shop that names none of its own. */
export interface DeploymentWhatsApp {
  WHATSAPP_ACCESS_TOKEN?: string;
  WHATSAPP_APP_SECRET?: string;
  WHATSAPP_VERIFY_TOKEN?: string;
}

/** One shop's WhatsApp secrets, read from the variables its file names or the deployment's. */
export interface ShopSecrets {
  accessToken: string;
  appSecret: string;
}

/**
 * The secrets a shop's number sends and is verified with: the variables its file names, else the
 * deployment's. Throws naming the field (and the variable) when one is missing, so the registry
 * refuses that shop and serves the others.
 *
 * @example
 * shopSecrets(shop, process.env); // { accessToken, appSecret }
 */
export function shopSecrets(
  shop: Shop,
  env: DeploymentWhatsApp,
  variables: NodeJS.ProcessEnv = process.env,
): ShopSecrets {
  return {
    accessToken: secret(shop, 'accessTokenEnv', 'WHATSAPP_ACCESS_TOKEN', env, variables),
    appSecret: secret(shop, 'appSecretEnv', 'WHATSAPP_APP_SECRET', env, variables),
  };
}

/** What a shop lacks, in words naming the field, or undefined when it has every secret. */
export function missingSecret(shop: Shop, env: DeploymentWhatsApp, variables = process.env): string | undefined {
  try {
    shopSecrets(shop, env, variables);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function secret(
  shop: Shop,
  field: 'accessTokenEnv' | 'appSecretEnv',
  fallback: keyof DeploymentWhatsApp,
  env: DeploymentWhatsApp,
  variables: NodeJS.ProcessEnv,
): string {
  const named = shop.whatsapp?.[field];
  if (named) {
    const value = variables[named];
    if (!value) throw new Error(`whatsapp.${field} names ${named}, which is not set in the environment`);
    return value;
  }
  const value = env[fallback];
  if (!value) throw new Error(`whatsapp.${field} is not given and ${fallback} is not set: set one of them`);
  return value;
}
