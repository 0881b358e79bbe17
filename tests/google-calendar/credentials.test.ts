import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GoogleCalendar } from '../../adapters/google-calendar/calendar.ts';
import { readServiceAccount } from '../../adapters/google-calendar/credentials.ts';
import { googleCalendarFromEnv } from '../../adapters/google-calendar/from-env.ts';
import { readEnv } from '../../src/env.ts';
import { tempDataDir } from '../support/cita.ts';
import { testServiceAccount } from '../support/fake-google-calendar.ts';

const { serviceAccount } = testServiceAccount();
const keyJson = JSON.stringify(serviceAccount);

function keyFile(contents: string): string {
  const path = join(tempDataDir(), 'service-account.json');
  writeFileSync(path, contents);
  return path;
}

describe('reading the service account', () => {
  it('takes the JSON key itself from GOOGLE_SERVICE_ACCOUNT_JSON', () => {
    expect(readServiceAccount({ GOOGLE_SERVICE_ACCOUNT_JSON: keyJson })).toMatchObject({
      client_email: serviceAccount.client_email,
    });
  });

  it('takes a path to the key from GOOGLE_SERVICE_ACCOUNT_JSON or GOOGLE_APPLICATION_CREDENTIALS', () => {
    const path = keyFile(keyJson);
    expect(readServiceAccount({ GOOGLE_SERVICE_ACCOUNT_JSON: path }).client_email).toBe(serviceAccount.client_email);
    expect(readServiceAccount({ GOOGLE_APPLICATION_CREDENTIALS: path }).client_email).toBe(serviceAccount.client_email);
  });

  it('says which variables to set when there is no service account at all', () => {
    expect(() => readServiceAccount({})).toThrow(
      /GOOGLE_CALENDAR_ID is set but no service account.*GOOGLE_SERVICE_ACCOUNT_JSON/,
    );
  });

  it('names the variable and the path when the key file cannot be read', () => {
    expect(() => readServiceAccount({ GOOGLE_APPLICATION_CREDENTIALS: '/nowhere/key.json' })).toThrow(
      /GOOGLE_APPLICATION_CREDENTIALS points at \/nowhere\/key.json, which cannot be read/,
    );
  });

  it('names the variable when it holds something that is not a service-account key', () => {
    expect(() => readServiceAccount({ GOOGLE_SERVICE_ACCOUNT_JSON: '{"client_email": 3' })).toThrow(
      /GOOGLE_SERVICE_ACCOUNT_JSON does not hold valid JSON/,
    );
    expect(() => readServiceAccount({ GOOGLE_SERVICE_ACCOUNT_JSON: '{"type": "authorized_user"}' })).toThrow(
      /GOOGLE_SERVICE_ACCOUNT_JSON is not a service-account key/,
    );
    const brokenKey = JSON.stringify({ ...serviceAccount, private_key: 'not a key' });
    expect(() => readServiceAccount({ GOOGLE_SERVICE_ACCOUNT_JSON: brokenKey })).toThrow(
      /private_key is not a readable PEM key/,
    );
  });
});

describe('choosing the calendar from the environment', () => {
  it('keeps the local calendar when GOOGLE_CALENDAR_ID is not set', () => {
    expect(googleCalendarFromEnv({}, 'Europe/Madrid', 'es')).toBeUndefined();
  });

  it('builds a Google calendar when GOOGLE_CALENDAR_ID and a service account are set', () => {
    const env = readEnv({ GOOGLE_CALENDAR_ID: 'shop@group.calendar.google.com', GOOGLE_SERVICE_ACCOUNT_JSON: keyJson });
    expect(googleCalendarFromEnv(env, 'Europe/Madrid', 'es')).toBeInstanceOf(GoogleCalendar);
  });

  it('stops when a service account is given without the calendar it is for', () => {
    expect(() => googleCalendarFromEnv({ GOOGLE_SERVICE_ACCOUNT_JSON: keyJson }, 'Europe/Madrid', 'es')).toThrow(
      /GOOGLE_CALENDAR_ID is not/,
    );
  });

  it('rejects an API root URL without the trailing slash at start-up', () => {
    expect(() => readEnv({ GOOGLE_API_ROOT_URL: 'http://127.0.0.1:9999' })).toThrow(/GOOGLE_API_ROOT_URL/);
  });
});
