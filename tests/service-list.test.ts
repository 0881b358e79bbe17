import { afterEach, describe, expect, it } from 'vitest';
import type { ShopConfig } from '../config/schema.ts';
import { readRules } from '../src/interpreter/rules/index.ts';
import { situationFor } from '../src/interpreter/situation.ts';
import { distinctTitles } from '../src/messages/service-list.ts';
import { LIMITS, OutboundMessage, optionsOf } from '../src/messages/whatsapp.ts';
import { customer, stateOf, testCita } from './support/cita.ts';
import { type FakeGraphApi, startFakeGraphApi } from './support/fake-graph-api.ts';
import { SERVICES, shopWith14Services } from './support/many-services.ts';

const started: { stop(): Promise<void> }[] = [];
const graphs: FakeGraphApi[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((cita) => cita.stop()));
  await Promise.all(graphs.splice(0).map((graph) => graph.close()));
});

function citaFor(shop: ShopConfig) {
  const cita = testCita({ shop });
  started.push(cita);
  return cita;
}

function listOf(messages: OutboundMessage[]) {
  const list = messages.find((message) => message.kind === 'list');
  if (list?.kind !== 'list') throw new Error(`no list in ${JSON.stringify(messages)}`);
  return list;
}

describe('a shop with more services than a WhatsApp list holds', () => {
  it('accepts 14 services in the config (it refused an eleventh)', () => {
    expect(shopWith14Services().services).toHaveLength(14);
  });

  it('shows them in pages of 9 with a "Más servicios" row, in sections by category, within WhatsApp limits', async () => {
    const shop = shopWith14Services();
    const carlos = customer(citaFor(shop));
    const first = listOf(await carlos.say('hola'));
    expect(OutboundMessage.parse(first)).toEqual(first);
    expect(first.sections.map((section) => section.title)).toEqual(['Cortes', 'Barba', 'Color', 'Más servicios']);
    expect(first.sections.flatMap((section) => section.rows)).toHaveLength(LIMITS.listRows);
    expect(optionsOf(first).at(-1)).toMatchObject({ id: 'MORE_SERVICES', title: 'Más servicios' });

    const second = listOf(await carlos.tap('Más servicios'));
    expect(OutboundMessage.parse(second)).toEqual(second);
    expect(second.body).toBe('Más servicios (página 2). ¿Cuál quieres reservar?');
    expect(second.sections.map((section) => section.title)).toEqual(['Color', 'Tratamientos', 'Más servicios']);
    expect(optionsOf(second).map((option) => option.id)).toEqual([
      'SELECT_SERVICE:servicio-10',
      'SELECT_SERVICE:servicio-11',
      'SELECT_SERVICE:servicio-12',
      'SELECT_SERVICE:servicio-13',
      'SELECT_SERVICE:servicio-14',
      'MORE_SERVICES',
    ]);
    // After the last page, the first again.
    expect(optionsOf(listOf(await carlos.tap('Más servicios')))).toEqual(optionsOf(first));
  });

  it('books a service of the second page, tapped or picked by its number there', async () => {
    const cita = citaFor(shopWith14Services());
    const carlos = customer(cita);
    await carlos.say('hola');
    await carlos.tap('Más servicios');
    const replies = await carlos.say('4'); // the fourth row of this page: service 13
    expect(await stateOf(cita, carlos.phone)).toBe('choosingDate');
    expect(replies.at(-1)?.body).toContain('Tratamiento anticaída con masaje, perfecto');
    // Picking a service sends the list back to its first page the next time it is shown.
    await carlos.say('atrás');
    expect(optionsOf(listOf(carlos.last))[0]?.id).toBe('SELECT_SERVICE:servicio-1');
  });

  it('cuts long names to distinct titles and keeps the full name in the description, in both languages', async () => {
    const shop = shopWith14Services();
    for (const [language, more, hello] of [
      ['es', 'Más servicios', 'hola'],
      ['en', 'More services', 'hello'],
    ] as const) {
      const person = customer(citaFor(shop), language === 'es' ? '34600000001' : '447700900001');
      const pages = [listOf(await person.say(hello)), listOf(await person.tap(more))];
      const serviceRows = pages
        .flatMap((page) => page.sections.flatMap((section) => section.rows))
        .filter((row) => row.id.startsWith('SELECT_SERVICE'));
      expect(serviceRows).toHaveLength(14);
      const titles = serviceRows.map((row) => row.title);
      expect(new Set(titles).size, titles.join(' | ')).toBe(14);
      for (const row of serviceRows) {
        const service = shop.services.find((s) => `SELECT_SERVICE:${s.id}` === row.id)!;
        const name = service.name[language];
        expect(row.title.length).toBeLessThanOrEqual(LIMITS.rowTitle);
        expect(row.description!.length).toBeLessThanOrEqual(LIMITS.rowDescription);
        if (row.title !== name) expect(row.description).toMatch(new RegExp(`^${name.replace(/[()]/g, '\\$&')} · `));
      }
    }
  });

  it('titles the five "Servicio de peluquería…" services apart by the words that differ', () => {
    const names = SERVICES.slice(0, 5).map(([, , es]) => es);
    expect(distinctTitles(names, LIMITS.rowTitle)).toEqual([
      'Servicio… para caballero',
      '… caballero con lavado',
      'Servicio de pe… infantil',
      '… con degradado a navaja',
      '… y peinado para eventos',
    ]);
  });

  it('numbers names that stay alike however they are cut', () => {
    const names = ['Corte de pelo clásico para caballero adulto', 'Corte de pelo clásico para caballero adulto'];
    expect(distinctTitles(names, LIMITS.rowTitle)).toEqual(['1. Corte de pelo clásic…', '2. Corte de pelo clásic…']);
  });

  it('pages a list without categories in one section with the "Más servicios" row last', async () => {
    const first = listOf(await customer(citaFor(shopWith14Services({ categories: false }))).say('hola'));
    expect(first.sections).toHaveLength(1);
    expect(first.sections[0]?.title).toBeUndefined();
    expect(optionsOf(first)).toHaveLength(10);
    expect(optionsOf(first).at(-1)?.id).toBe('MORE_SERVICES');
  });

  it('reads every one of the 14 services when the customer writes its name, in either language', () => {
    const shop = shopWith14Services();
    for (const language of ['es', 'en'] as const) {
      const situation = situationFor({ state: 'choosingService', now: '2026-11-24T09:00:00Z', language }, shop);
      for (const service of shop.services) {
        const name = service.name[language];
        expect(readRules(name, situation), name).toEqual([{ type: 'SELECT_SERVICE', serviceId: service.id }]);
      }
    }
    const situation = situationFor({ state: 'choosingService', now: '2026-11-24T09:00:00Z', language: 'es' }, shop);
    expect(readRules('más servicios', situation)).toEqual([{ type: 'MORE_SERVICES' }]);
  });

  it('sends each page as a list the WhatsApp Cloud API takes', async () => {
    const graph = await startFakeGraphApi({ accessToken: 'EAAG-test-token', phoneNumberId: '106540352242922' });
    graphs.push(graph);
    const carlos = customer(citaFor(shopWith14Services()));
    const pages = [listOf(await carlos.say('hola')), listOf(await carlos.tap('Más servicios'))];
    await graph.messenger().send(carlos.phone, pages);
    expect(graph.requests.filter((request) => request.status === 200)).toHaveLength(2);
  });
});
