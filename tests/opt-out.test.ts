import { describe, expect, it } from 'vitest';
import { customer, shop } from './support/cita.ts';
import { whatsappCita } from './support/whatsapp-cita.ts';

describe('"no más avisos"', () => {
  it('stops the waitlist offers of a customer who opted out, for good', async () => {
    const { cita, graph } = await whatsappCita();
    const luis = customer(cita, '34600000002', 'Luis');
    await luis.say('corte el sábado a las 10');
    await luis.say('sí');
    await cita.calendar.block({
      id: 'blockmorning1',
      start: '2026-11-28T08:00:00Z',
      end: '2026-11-28T08:50:00Z',
      by: 't',
    });
    await cita.calendar.block({
      id: 'blockmorning2',
      start: '2026-11-28T09:40:00Z',
      end: '2026-11-28T13:00:00Z',
      by: 't',
    });
    const ana = customer(cita, '34600000011', 'Ana');
    await ana.say('corte el sábado');
    await ana.tap('Avísame si se libera');

    await ana.say('no más avisos');
    expect(ana.lastText).toContain('no te escribiremos más por nuestra cuenta');
    expect(await cita.optOuts.list()).toEqual([{ phone: ana.phone, at: '2026-11-24T09:00:00.000Z' }]);
    expect(await cita.waitlist.entriesOf(ana.phone)).toEqual([]);

    // Even waitlisted again (writing is always allowed), nothing is offered to her.
    await ana.say('corte el sábado');
    await ana.tap('Avísame si se libera');
    await luis.say('cancelar mi cita');
    await luis.tap('Sí, anularla');
    const before = graph.messages.length;
    expect(await cita.offerFreedTime()).toMatchObject({ offered: 0 });
    expect(graph.messages).toHaveLength(before);
  });

  it('stops reminders too, unless the shop keeps them (messaging.remindersAfterOptOut)', async () => {
    for (const [remindersAfterOptOut, sent] of [
      [false, 0],
      [true, 1],
    ] as const) {
      const { cita, clock } = await whatsappCita({ ...shop, messaging: { ...shop.messaging, remindersAfterOptOut } });
      const carlos = customer(cita);
      await carlos.say('corte mañana a las 5');
      await carlos.say('sí');
      await carlos.say('stop');
      expect(carlos.lastText).toContain('no te escribiremos más');
      clock.set('2026-11-24T16:00:00Z');
      expect(await cita.sendDueReminders()).toMatchObject({ sent });
      // Counted with every message cita starts: the reminder, by what became of it.
      const { values } = await cita.metrics.outreach.get();
      const reminders = values.filter((v) => v.labels.kind === 'reminder');
      expect(Object.fromEntries(reminders.map((v) => [v.labels.outcome, v.value]))).toEqual(
        sent ? { sent: 1 } : { opted_out: 1 },
      );
    }
  });

  it('"stop" in the middle of a booking still only calls the booking off', async () => {
    const { cita } = await whatsappCita();
    const carlos = customer(cita);
    await carlos.say('corte mañana');
    await carlos.say('stop');
    expect(carlos.lastText).toContain('No he reservado nada');
    expect(await cita.optOuts.isOptedOut(carlos.phone)).toBe(false);
  });

  it('shows the staff who opted out, in the agenda', async () => {
    const owner = { phone: '34611000001', name: 'Paco', role: 'owner' as const };
    const { cita } = await whatsappCita({ ...shop, staff: [owner] });
    const carlos = customer(cita);
    await carlos.say('corte mañana a las 5');
    await carlos.say('sí');
    const paco = customer(cita, owner.phone, 'Paco');
    await paco.say('agenda mañana');
    expect(paco.lastText).toContain('17:00');
    expect(paco.lastText).not.toContain('🔕');
    await carlos.say('no más avisos');
    await paco.say('agenda mañana');
    expect(paco.lastText).toContain('17:00 · “Carlos” 🔕 · Corte de pelo');
  });
});
