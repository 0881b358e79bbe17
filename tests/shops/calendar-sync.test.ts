import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteAdapters } from '../../adapters/sqlite/index.ts';
import { createCita } from '../../src/cita.ts';
import { ShopRegistry } from '../../src/shops/registry.ts';
import { fakeClock, tempDataDir } from '../support/cita.ts';

/**
 * Calendar sync with two shops on one SQLite file: each shop's runtime watches its own calendar
 * with its own positions, a change in one shop's calendar reaches only that shop's customer.
 */

const EXAMPLES = join(import.meta.dirname, '../../examples/shops');
const BIGOTE = 'el-bigote';
const NAVAJA = 'la-navaja';
const CARLOS = '34600000001';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function twoShops() {
  const folder = tempDataDir();
  for (const id of [BIGOTE, NAVAJA]) copyFileSync(join(EXAMPLES, `${id}.json`), join(folder, `${id}.json`));
  const shops = ShopRegistry.fromFolder(folder);
  const sqlite = createSqliteAdapters({ path: ':memory:' });
  const cita = createCita({
    shops,
    clock: fakeClock(),
    dataDir: tempDataDir(),
    adapters: { inbox: sqlite.adapters.inbox, replies: sqlite.adapters.replies },
    storesFor: (shop) => sqlite.forShop(shop.id),
    onStop: () => sqlite.close(),
  });
  stops.push(() => cita.stop());
  return { sqlite, cita };
}

const syncEvery = (cita: ReturnType<typeof createCita>) =>
  Promise.all(cita.calendarWatchers().map((watcher) => watcher.sync.syncAll()));

describe('calendar sync with many shops', () => {
  it("tells a shop's customer of a move in that shop's calendar only, each shop read from its own position", async () => {
    const { sqlite, cita } = twoShops();
    expect(cita.calendarWatchers()).toHaveLength(2);
    await syncEvery(cita);
    const say = (text: string) =>
      cita.converse(CARLOS, { kind: 'text', text }, { shop: BIGOTE, customerName: 'Carlos' });
    await say('corte el jueves a las 5');
    await say('sí');
    const bigote = cita.forShop(BIGOTE)!;
    const [appointment] = await bigote.deps.calendar.upcomingFor(CARLOS, cita.clock());
    expect(appointment).toBeDefined();
    // Straight into El Bigote's store, as an admin tool would.
    await sqlite.forShop(BIGOTE).calendar.reschedule({
      ...appointment!,
      start: '2026-11-26T18:00:00.000Z',
      end: '2026-11-26T18:30:00.000Z',
    });
    const [first, second] = await Promise.all([
      bigote.watch.sync.syncAll(),
      cita.forShop(NAVAJA)!.watch.sync.syncAll(),
    ]);
    expect(first).toMatchObject({ moved: 1 });
    expect(second).toMatchObject({ moved: 0, unchanged: 0 });
    expect(JSON.stringify(bigote.unprompted.takeUnprompted(CARLOS))).toContain('ha cambiado tu cita');
    expect(cita.forShop(NAVAJA)!.unprompted.takeUnprompted(CARLOS)).toEqual([]);
    // Each shop's position is its own row.
    const rows = sqlite.database.all<{ shop: string }>('SELECT shop FROM calendar_sync ORDER BY shop');
    expect(rows.map((row) => row.shop)).toEqual([BIGOTE, NAVAJA]);
  });
});
