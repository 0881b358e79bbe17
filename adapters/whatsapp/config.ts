/** The settings that switch the WhatsApp channel on: all of them, or none for the simulator. */
export const WHATSAPP_REQUIRED = [
  'WHATSAPP_ACCESS_TOKEN',
  'WHATSAPP_PHONE_NUMBER_ID',
  'WHATSAPP_APP_SECRET',
  'WHATSAPP_VERIFY_TOKEN',
] as const;

type WhatsAppEnv = Partial<
  Record<(typeof WHATSAPP_REQUIRED)[number] | 'WHATSAPP_API_URL' | 'WHATSAPP_API_VERSION', string>
>;

export interface WhatsAppConfig {
  accessToken: string;
  phoneNumberId: string;
  appSecret: string;
  verifyToken: string;
  apiBaseUrl?: string;
  apiVersion?: string;
}

/** Some WHATSAPP_* settings are set but not all: starting would half-connect WhatsApp. */
export class WhatsAppConfigError extends Error {}

/**
 * The WhatsApp settings from the (already validated) environment: undefined when none is set,
 * so cita runs with the simulator; an error naming the missing ones when only some are.
 *
 * @example
 * const whatsapp = whatsAppConfig(readEnv()); // undefined → simulator
 */
export function whatsAppConfig(env: WhatsAppEnv): WhatsAppConfig | undefined {
  const missing = WHATSAPP_REQUIRED.filter((name) => !env[name]);
  if (missing.length === WHATSAPP_REQUIRED.length) return undefined;
  if (missing.length > 0) {
    throw new WhatsAppConfigError(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: WhatsApp needs all of ${WHATSAPP_REQUIRED.join(', ')}. ` +
        'Set the missing ones, or unset every WHATSAPP_* setting to run with the simulator.',
    );
  }
  return {
    accessToken: env.WHATSAPP_ACCESS_TOKEN!,
    phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID!,
    appSecret: env.WHATSAPP_APP_SECRET!,
    verifyToken: env.WHATSAPP_VERIFY_TOKEN!,
    apiBaseUrl: env.WHATSAPP_API_URL,
    apiVersion: env.WHATSAPP_API_VERSION,
  };
}
