import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The two fields of a Google service-account key file that signing a request needs. */
export const ServiceAccount = z.object({
  type: z.literal('service_account').optional(),
  client_email: z.email(),
  private_key: z.string().min(1),
  private_key_id: z.string().optional(),
});
export type ServiceAccount = z.infer<typeof ServiceAccount>;

/** Where a service account may come from, by the name of the variable that held it. */
export interface CredentialSources {
  GOOGLE_SERVICE_ACCOUNT_JSON?: string;
  GOOGLE_APPLICATION_CREDENTIALS?: string;
}

const HOW_TO_FIX =
  'create a key for the service account in Google Cloud (IAM → Service accounts → Keys → JSON) and set ' +
  'GOOGLE_SERVICE_ACCOUNT_JSON to the file path or to its contents (or GOOGLE_APPLICATION_CREDENTIALS to the path), ' +
  'or unset GOOGLE_CALENDAR_ID to use the local calendar';

/**
 * Reads the service account cita signs its Google requests with, or throws an error that names the
 * variable and says what to do: a bad credential must stop start-up, not the first booking.
 *
 * @example
 * readServiceAccount({ GOOGLE_SERVICE_ACCOUNT_JSON: '/etc/cita/service-account.json' })
 */
export function readServiceAccount(sources: CredentialSources): ServiceAccount {
  const [variable, value] = sources.GOOGLE_SERVICE_ACCOUNT_JSON
    ? ['GOOGLE_SERVICE_ACCOUNT_JSON', sources.GOOGLE_SERVICE_ACCOUNT_JSON]
    : ['GOOGLE_APPLICATION_CREDENTIALS', sources.GOOGLE_APPLICATION_CREDENTIALS];
  if (!value) {
    throw new Error(`GOOGLE_CALENDAR_ID is set but no service account is: ${HOW_TO_FIX}.`);
  }
  // GOOGLE_APPLICATION_CREDENTIALS is always a path (Google's convention); ours may also be the JSON itself.
  const text =
    variable === 'GOOGLE_SERVICE_ACCOUNT_JSON' && value.trimStart().startsWith('{')
      ? value
      : readKeyFile(variable, value);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${variable} does not hold valid JSON: ${HOW_TO_FIX}.`);
  }
  const parsed = ServiceAccount.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${variable} is not a service-account key (${z.prettifyError(parsed.error)}): ${HOW_TO_FIX}.`);
  }
  try {
    createPrivateKey(parsed.data.private_key);
  } catch {
    throw new Error(`${variable}: private_key is not a readable PEM key: ${HOW_TO_FIX}.`);
  }
  return parsed.data;
}

function readKeyFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `${variable} points at ${path}, which cannot be read (${(error as Error).message}): ${HOW_TO_FIX}.`,
    );
  }
}
