import { describe, expect, it } from 'vitest';
import type { Calendar } from '../../src/engine/ports.ts';
import { layeredInterpreter } from '../../src/interpreter/llm/index.ts';
import { readRules } from '../../src/interpreter/rules/index.ts';
import { createApp } from '../../src/server/app.ts';
import { citaPerTest } from '../support/cita.ts';
import { HOSTILE_MODES } from '../support/hostile-llm.ts';
import { fakeProvider, llmOn } from './llm-test-kit.ts';

const start = citaPerTest();

/** A calendar that takes every request and answers none until `wake` (then it fails them all). */
function silentCalendar() {
  const waiting: ((error: Error) => void)[] = [];
  const never = () => new Promise<never>((_, reject) => waiting.push(reject));
  const calendar: Calendar = {
    busy: never,
    create: never,
    get: never,
    cancel: never,
    reschedule: never,
    upcomingFor: never,
    between: never,
    block: never,
  };
  const wake = () => {
    for (const reject of waiting.splice(0)) reject(new Error('calendar woke up'));
  };
  return { calendar, wake };
}

const post = (app: ReturnType<typeof createApp>, body: unknown) =>
  app.request('/simulator/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('a simulator turn that cannot finish in time', () => {
  it('answers 504 with the reason, not a 500', async () => {
    const { calendar, wake } = silentCalendar();
    const cita = start({ adapters: { calendar }, turnTimeoutMs: 300 });
    const app = createApp(cita);

    const response = await post(app, { phone: '34611000030', text: 'un corte mañana a las 5' });
    wake();

    expect(response.status).toBe(504);
    const { error } = (await response.json()) as { error: string };
    expect(error).toMatch(/no reply within 0.3 s: the calendar or the language model is slow/);
  });
});

describe('a simulator turn with a model that hangs or stalls', () => {
  it.each(['hang', 'headers, then a stalled body'] as const)(
    'is answered once the model is given up on (%s)',
    async (mode) => {
      const fake = await fakeProvider();
      fake.respond(HOSTILE_MODES[mode]);
      const cita = start({ adapters: { interpreter: layeredInterpreter(readRules, llmOn([fake])) } });
      const app = createApp(cita);

      const response = await post(app, { phone: '34611000031', text: 'zorblat quimpe flarn' });

      expect(response.status).toBe(200);
      const { replies } = (await response.json()) as { replies: unknown[] };
      expect(replies.length).toBeGreaterThan(0);
      expect(fake.requests).toHaveLength(1);
    },
  );
});
