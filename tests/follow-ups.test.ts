import { describe, expect, it } from 'vitest';
import type { ShopConfig } from '../config/schema.ts';
import type { Cita } from '../src/cita.ts';
import { customer, shop, teamShop } from './support/cita.ts';
import type { CloudApiMessage } from './support/fake-graph-api.ts';
import { whatsappCita } from './support/whatsapp-cita.ts';

/** The shop with cuts every 28 days. */
const nudging: ShopConfig = {
  ...shop,
  services: shop.services.map((service) => (service.id === 'corte' ? { ...service, rebookAfterDays: 28 } : service)),
};
const REVIEW_URL = 'https://g.page/r/barberia-paco/review';
const thanking: ShopConfig = {
  ...shop,
  afterVisit: {
    minutesAfter: 120,
    reviewUrl: REVIEW_URL,
    minDaysBetween: 30,
    template: { name: 'cita_thank_you', language: 'es' },
  },
};

/** A template the fake Graph API took: its name, body parameters and quick-reply payloads by title. */
function templateOf(message: CloudApiMessage | undefined) {
  const body = message as {
    type?: string;
    template?: {
      name: string;
      components?: { type: string; sub_type?: string; parameters: { text?: string; payload?: string }[] }[];
    };
  };
  const components = body?.template?.components ?? [];
  return {
    type: body?.type,
    name: body?.template?.name,
    parameters: components.find((c) => c.type === 'body')?.parameters.map((p) => p.text),
    payloads: components.filter((c) => c.type === 'button').map((c) => c.parameters[0]?.payload),
  };
}

async function outreach(cita: Cita, kind: string) {
  const { values } = await cita.metrics.outreach.get();
  return Object.fromEntries(values.filter((v) => v.labels.kind === kind).map((v) => [v.labels.outcome, v.value]));
}

describe('¿Repetimos? (a service’s rebookAfterDays)', () => {
  it('writes once to a customer whose last cut was 28 days ago, whose Reservar starts the booking with the cut chosen, and "no más avisos" stops every later one', async () => {
    const { cita, graph, clock } = await whatsappCita(nudging);
    const carlos = customer(cita, '34600000001', 'Carlos');
    await carlos.say('corte el sábado a las 10');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('¡Cita reservada!');

    // Saturday 28 November 10:00–10:30 in Madrid; 28 days after it ends is 26 December, 10:30.
    clock.set('2026-12-26T09:29:00Z');
    expect(await cita.followUpVisits()).toMatchObject({ nudged: 0 });
    // In quiet hours it waits (the evening before, and 09:30 is still nothing in the morning's quiet).
    clock.set('2026-12-26T20:30:00Z');
    expect(await cita.followUpVisits()).toMatchObject({ nudged: 0, skipped: true });
    clock.set('2026-12-27T09:00:00Z');
    const before = graph.messages.length;
    // Two looks at once (two processes): one of them writes.
    const rounds = await Promise.all([cita.followUpVisits(), cita.followUpVisits()]);
    expect(rounds.map((round) => round.nudged).sort()).toEqual([0, 1]);
    expect(graph.messages).toHaveLength(before + 1);
    const nudge = graph.messages.at(-1);
    expect(nudge?.to).toBe(carlos.phone);
    // A month without writing: outside the 24-hour window, so the template.
    expect(templateOf(nudge)).toEqual({
      type: 'template',
      name: 'cita_rebook',
      parameters: ['Corte de pelo', 'sábado 28 de noviembre'],
      payloads: ['REBOOK:corte', 'STOP_MESSAGES'],
    });
    expect(await cita.followUpVisits()).toMatchObject({ nudged: 0 });
    expect(graph.messages).toHaveLength(before + 1);
    expect(await outreach(cita, 'rebook_nudge')).toEqual({ template: 1 });

    // Reservar: the cut is chosen, the day is asked.
    await carlos.send('REBOOK:corte');
    expect(carlos.lastText).toContain('Corte de pelo');
    expect(carlos.lastText).toMatch(/qué día/i);
    await carlos.say('el martes 29 a las 10');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('¡Cita reservada!');

    await carlos.say('no más avisos');
    expect(carlos.lastText).toContain('no te escribiremos más por nuestra cuenta');
    // 28 days after that cut: nothing, counted as opted out.
    clock.set('2027-01-26T10:00:00Z');
    const after = graph.messages.length;
    expect(await cita.followUpVisits()).toMatchObject({ nudged: 0 });
    expect(graph.messages).toHaveLength(after);
    expect(await outreach(cita, 'rebook_nudge')).toEqual({ template: 1, opted_out: 1 });
  });

  it('says nothing to a customer who booked again since the visit', async () => {
    const { cita, graph, clock } = await whatsappCita(nudging);
    const carlos = customer(cita, '34600000001', 'Carlos');
    await carlos.say('corte el sábado a las 10');
    await carlos.say('sí');
    await carlos.say('corte el martes 22 de diciembre a las 10');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('¡Cita reservada!');
    clock.set('2026-12-27T09:00:00Z');
    const before = graph.messages.length;
    expect(await cita.followUpVisits()).toMatchObject({ nudged: 0 });
    expect(graph.messages).toHaveLength(before);
  });

  it('offers the usual barber too: Reservar starts with both chosen', async () => {
    const team: ShopConfig = {
      ...teamShop,
      services: teamShop.services.map((s) => (s.id === 'corte' ? { ...s, rebookAfterDays: 28 } : s)),
    };
    const { cita, graph, clock } = await whatsappCita(team);
    const carlos = customer(cita, '34600000001', 'Carlos');
    await carlos.say('corte con javi el sábado a las 10');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('¡Cita reservada!');
    clock.set('2026-12-27T09:00:00Z');
    expect(await cita.followUpVisits()).toMatchObject({ nudged: 1 });
    const nudge = templateOf(graph.messages.at(-1));
    expect(nudge.parameters?.[0]).toContain('Javi');
    expect(nudge.payloads).toEqual(['REBOOK:corte:javi', 'STOP_MESSAGES']);
    await carlos.send('REBOOK:corte:javi');
    expect(carlos.lastText).toContain('Javi');
    expect(carlos.lastText).toMatch(/qué día/i);
  });
});

describe('the thank-you after a visit (afterVisit)', () => {
  it('goes out 2 hours after the appointment ends with the review link, once in minDaysBetween days', async () => {
    const { cita, graph, clock } = await whatsappCita(thanking);
    const carlos = customer(cita, '34600000001', 'Carlos');
    await carlos.say('corte el sábado a las 10');
    await carlos.say('sí');
    await carlos.say('corte el martes 1 de diciembre a las 10');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('¡Cita reservada!');

    // Saturday's cut ends at 10:30 in Madrid (09:30 UTC): the thank-you is due at 12:30.
    clock.set('2026-11-28T11:29:00Z');
    expect(await cita.followUpVisits()).toMatchObject({ thanked: 0 });
    clock.set('2026-11-28T11:30:00Z');
    const before = graph.messages.length;
    expect(await cita.followUpVisits()).toMatchObject({ thanked: 1 });
    expect(graph.messages).toHaveLength(before + 1);
    expect(templateOf(graph.messages.at(-1))).toMatchObject({
      type: 'template',
      name: 'cita_thank_you',
      parameters: [shop.name, REVIEW_URL],
    });
    expect(await cita.followUpVisits()).toMatchObject({ thanked: 0 });

    // Tuesday's visit, three days later: within 30 days of the last thank-you, so none.
    clock.set('2026-12-01T11:30:00Z');
    expect(await cita.followUpVisits()).toMatchObject({ thanked: 0 });
    expect(graph.messages).toHaveLength(before + 1);
    expect(await outreach(cita, 'thank_you')).toEqual({ template: 1 });
  });

  it('neither thanks nor nudges a customer the staff marked *No vino*', async () => {
    const { cita, graph, clock } = await whatsappCita({ ...thanking, services: nudging.services });
    const carlos = customer(cita, '34600000001', 'Carlos');
    await carlos.say('corte el sábado a las 10');
    await carlos.say('sí');
    const [visit] = await cita.calendar.upcomingFor(carlos.phone, clock());
    // What the staff's *No vino* writes (tests/staff/no-shows.test.ts marks one from the agenda).
    clock.set('2026-11-28T09:15:00Z');
    await cita.history.record(carlos.phone, {
      bookingId: visit.id,
      serviceId: visit.serviceId,
      start: visit.start,
      end: visit.end,
      status: 'noShow',
      at: clock().toISOString(),
    });
    const before = graph.messages.length;
    clock.set('2026-11-28T11:30:00Z');
    expect(await cita.followUpVisits()).toMatchObject({ thanked: 0 });
    clock.set('2026-12-27T09:00:00Z');
    expect(await cita.followUpVisits()).toMatchObject({ nudged: 0 });
    expect(graph.messages).toHaveLength(before);
    expect(await outreach(cita, 'thank_you')).toEqual({ no_show: 1 });
    expect(await outreach(cita, 'rebook_nudge')).toEqual({ no_show: 1 });
  });

  it('inside the 24-hour window it is a plain message; without afterVisit there is none', async () => {
    for (const [config, thanked] of [
      [thanking, 1],
      [shop, 0],
    ] as const) {
      const { cita, graph, clock } = await whatsappCita(config);
      const carlos = customer(cita, '34600000001', 'Carlos');
      await carlos.say('corte el sábado a las 10');
      await carlos.say('sí');
      clock.set('2026-11-28T11:00:00Z');
      await carlos.say('gracias');
      clock.set('2026-11-28T11:30:00Z');
      const before = graph.messages.length;
      expect(await cita.followUpVisits()).toMatchObject({ thanked });
      expect(graph.messages).toHaveLength(before + thanked);
      if (thanked) expect(JSON.stringify(graph.messages.at(-1))).toContain(REVIEW_URL);
    }
  });
});
