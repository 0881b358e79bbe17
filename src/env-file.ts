import { existsSync } from 'node:fs';

/**
 * Reads `.env` from the working directory into the environment, if there is one, before anything
 * else reads a setting: imported first by every entry point. A variable already set in the
 * environment wins over the file (Node's `process.loadEnvFile` never overwrites one).
 */
export const ENV_FILE = '.env';

if (existsSync(ENV_FILE)) process.loadEnvFile(ENV_FILE);
