import { describe, expect, it } from 'vitest';
import type { Cita } from '../src/cita.ts';
import { customer } from './support/cita.ts';
import type { CloudApiMessage } from './support/fake-graph-api.ts';
import { whatsappCita } from './support/whatsapp-cita.ts';

const EVER = new Date(0);
const SATURDAY = '2026-11-28';

/**
 * Saturday 28 November (09:00–14:00) with only 10:00 bookable, and Luis booked there: the rest
 * of the morning is blocked around his appointment (and its 10-minute buffer).
 */
async function fullSaturday(cita: Cita) {
  const luis = customer(cita, '34600000002', 'Luis');
  await luis.say('corte el sábado a las 10');
  await luis.say('sí');
  const [appointment] = await cita.calendar.upcomingFor(luis.phone, EVER);
  expect(appointment?.start).toBe('2026-11-28T09:00:00.000Z');
  await cita.calendar.block({
    id: 'blockmorning1',
    start: '2026-11-28T08:00:00Z',
    end: '2026-11-28T08:50:00Z',
    by: 'test',
  });
  await cita.calendar.block({
    id: 'blockmorning2',
    start: '2026-11-28T09:40:00Z',
    end: '2026-11-28T13:00:00Z',
    by: 'test',
  });
  return luis;
}

/** The buttons of an interactive message or a template the fake Graph API took, by title → id. */
function buttonsOf(message: CloudApiMessage | undefined): Record<string, string> {
  const body = message as {
    type?: string;
    interactive?: { action?: { buttons?: { reply: { id: string; title: string } }[] } };
  };
  return Object.fromEntries((body?.interactive?.action?.buttons ?? []).map(({ reply }) => [reply.title, reply.id]));
}

async function waitlisted(cita: Cita, phone: string, name: string) {
  const someone = customer(cita, phone, name);
  await someone.say('corte el sábado');
  expect(someone.lastText).toContain('ya no quedan horas libres');
  await someone.tap('Avísame si se libera');
  expect(someone.lastText).toContain('si se libera una hora el sábado 28 de noviembre');
  return someone;
}

describe('waitlist', () => {
  it('offers a full Saturday’s freed time to the customer waiting for it, who books it with one tap', async () => {
    const { cita, graph } = await whatsappCita();
    const luis = await fullSaturday(cita);
    const ana = await waitlisted(cita, '34600000011', 'Ana');
    expect(await cita.offerFreedTime()).toMatchObject({ offered: 0 });

    await luis.say('cancelar mi cita');
    await luis.tap('Sí, anularla');
    expect(luis.lastText).toContain('Cita anulada');
    expect(await cita.offerFreedTime()).toMatchObject({ offered: 1 });
    const offer = graph.messages.at(-1);
    expect(offer).toMatchObject({ to: ana.phone, type: 'interactive' });
    expect(JSON.stringify(offer)).toContain('sábado 28 de noviembre a las 10:00');
    const buttons = buttonsOf(offer);
    expect(Object.keys(buttons)).toEqual(['Reservar', 'No, gracias']);

    // Held for Ana: Luis, changing his mind, is not offered it back meanwhile.
    await luis.say('corte el sábado');
    expect(luis.lastText).toContain('ya no quedan horas libres');

    await ana.send(buttons.Reservar!);
    expect(ana.lastText).toContain('¡Cita reservada! Corte de pelo el sábado 28 de noviembre a las 10:00');
    const [booked] = await cita.calendar.upcomingFor(ana.phone, EVER);
    expect(booked).toMatchObject({ start: '2026-11-28T09:00:00.000Z', serviceId: 'corte' });
    // Off the list once booked, and nothing more to offer.
    expect(await cita.waitlist.waiting(SATURDAY)).toEqual([]);
    expect(await cita.offerFreedTime()).toMatchObject({ offered: 0 });
  });

  it('asks the next customer when the first does not answer in time, and takes no late yes', async () => {
    const { cita, graph, clock } = await whatsappCita();
    const luis = await fullSaturday(cita);
    const ana = await waitlisted(cita, '34600000011', 'Ana');
    const bea = await waitlisted(cita, '34600000012', 'Bea');
    await luis.say('cancelar mi cita');
    await luis.tap('Sí, anularla');

    expect(await cita.offerFreedTime()).toMatchObject({ offered: 1 });
    const toAna = buttonsOf(graph.messages.at(-1));
    expect(graph.messages.at(-1)?.to).toBe(ana.phone);
    clock.advance(14);
    expect(await cita.offerFreedTime()).toMatchObject({ offered: 0, unanswered: 0 });
    clock.advance(1);
    expect(await cita.offerFreedTime()).toMatchObject({ offered: 1, unanswered: 1 });
    expect(graph.messages.at(-1)?.to).toBe(bea.phone);

    await ana.send(toAna.Reservar!);
    expect(ana.lastText).toContain('esa hora ya no está guardada para ti');
    expect(await cita.calendar.upcomingFor(ana.phone, EVER)).toEqual([]);
    await bea.send(buttonsOf(graph.messages.at(-1)).Reservar!);
    expect(await cita.calendar.upcomingFor(bea.phone, EVER)).toHaveLength(1);
    // Ana, who did not answer, still waits (at the back of the list).
    expect((await cita.waitlist.waiting(SATURDAY)).map((e) => e.phone)).toEqual([ana.phone]);
  });

  it('lets the next customer have it when the first says no', async () => {
    const { cita, graph } = await whatsappCita();
    const luis = await fullSaturday(cita);
    const ana = await waitlisted(cita, '34600000011', 'Ana');
    const bea = await waitlisted(cita, '34600000012', 'Bea');
    await luis.say('cancelar mi cita');
    await luis.tap('Sí, anularla');
    await cita.offerFreedTime();
    await ana.send(buttonsOf(graph.messages.at(-1))['No, gracias']!);
    expect(ana.lastText).toContain('se la ofrezco a otra persona');
    expect(await cita.offerFreedTime()).toMatchObject({ offered: 1 });
    expect(graph.messages.at(-1)?.to).toBe(bea.phone);
    expect((await cita.waitlist.waiting(SATURDAY)).map((e) => e.phone)).toEqual([bea.phone]);
  });

  it('offers time freed by a cancellation from any path (here one made straight in the calendar, as the staff’s are)', async () => {
    const { cita, graph } = await whatsappCita();
    const luis = await fullSaturday(cita);
    const ana = await waitlisted(cita, '34600000011', 'Ana');
    const [appointment] = await cita.calendar.upcomingFor(luis.phone, EVER);
    await cita.calendar.cancel(appointment!.id);
    expect(await cita.offerFreedTime()).toMatchObject({ offered: 1 });
    expect(graph.messages.at(-1)?.to).toBe(ana.phone);
  });

  it('a "No, gracias" in the middle of another booking lets that go too, and its held time with it', async () => {
    const { cita, graph } = await whatsappCita();
    const luis = await fullSaturday(cita);
    const ana = await waitlisted(cita, '34600000011', 'Ana');
    await luis.say('cancelar mi cita');
    await luis.tap('Sí, anularla');
    await cita.offerFreedTime();
    const decline = buttonsOf(graph.messages.at(-1))['No, gracias']!;
    await ana.say('corte el martes 1 de diciembre a las 10');
    expect(ana.lastText).toMatch(/confirm/i);
    await ana.send(decline);
    expect(ana.lastText).toContain('se la ofrezco a otra persona');
    // Tuesday 10:00 is no longer held for her: Luis can book it.
    await luis.say('corte el martes 1 de diciembre a las 10');
    expect(luis.lastText).toMatch(/confirm/i);
  });

  it('sends the approved template outside the 24-hour window', async () => {
    const { cita, graph, clock } = await whatsappCita();
    const luis = await fullSaturday(cita);
    const ana = await waitlisted(cita, '34600000011', 'Ana');
    clock.set('2026-11-25T10:00:00Z');
    await luis.say('cancelar mi cita');
    await luis.tap('Sí, anularla');
    expect(await cita.offerFreedTime()).toMatchObject({ offered: 1 });
    expect(graph.messages.at(-1)).toMatchObject({
      to: ana.phone,
      type: 'template',
      template: {
        name: 'cita_waitlist_offer',
        language: { code: 'es' },
        components: [
          {
            type: 'body',
            parameters: ['Corte de pelo', 'sábado 28 de noviembre', '10:00', '15'].map((text) => ({
              type: 'text',
              text,
            })),
          },
          expect.objectContaining({ type: 'button', index: '0' }),
          expect.objectContaining({ type: 'button', index: '1' }),
        ],
      },
    });
  });

  it('offers nothing in quiet hours: the offer waits until they end', async () => {
    const { cita, graph, clock } = await whatsappCita();
    const luis = await fullSaturday(cita);
    const ana = await waitlisted(cita, '34600000011', 'Ana');
    clock.set('2026-11-24T20:30:00Z'); // 21:30 in Madrid
    await luis.say('cancelar mi cita');
    await luis.tap('Sí, anularla');
    const sent = graph.messages.length;
    expect(await cita.offerFreedTime()).toMatchObject({ offered: 0, skipped: true });
    expect(graph.messages).toHaveLength(sent);
    clock.set('2026-11-25T08:00:00Z'); // 09:00 in Madrid
    expect(await cita.offerFreedTime()).toMatchObject({ offered: 1 });
    expect(graph.messages.at(-1)?.to).toBe(ana.phone);
  });

  it('shows the customer’s waitlist in "mis citas", where they leave it', async () => {
    const { cita } = await whatsappCita();
    await fullSaturday(cita);
    const ana = await waitlisted(cita, '34600000011', 'Ana');
    await ana.say('mis citas');
    expect(ana.lastText).toContain('En lista de espera');
    expect(ana.lastText).toContain('Corte de pelo, sábado 28 de noviembre');
    // Only a waitlist, no appointment: "cancelar mi cita" is told there is none to cancel.
    await ana.say('cancelar mi cita');
    expect(ana.lastText).not.toContain('¿Cuál');
    await ana.say('mis citas');
    await ana.tap('No esperar');
    expect(ana.lastText).toContain('ya no estás en la lista de espera del sábado 28 de noviembre');
    expect(await cita.waitlist.entriesOf(ana.phone)).toEqual([]);
  });

  it('drops the entries of days that have passed', async () => {
    const { cita, clock } = await whatsappCita();
    await fullSaturday(cita);
    const ana = await waitlisted(cita, '34600000011', 'Ana');
    clock.set('2026-11-28T23:30:00Z'); // Sunday in Madrid
    expect(await cita.offerFreedTime()).toMatchObject({ expired: 1 });
    expect(await cita.waitlist.entriesOf(ana.phone)).toEqual([]);
  });
});
