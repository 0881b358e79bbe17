import { randomUUID } from 'node:crypto';
import type { CalendarChange, CalendarChanges } from '../engine/ports.ts';
import { log } from '../log.ts';
import { type ReconcileDependencies, type Reconciled, reconcileChange } from './reconcile.ts';

/** How long a process may read one calendar before another may take over (renewed at each page of changes). */
export const SYNC_LEASE_MS = 60_000;

/** What one read of a calendar did, by outcome; `busy` when another process was reading it (it reads again after). */
export type SyncRound = Record<Reconciled, number> & { busy?: true };

export interface CalendarSyncDependencies extends ReconcileDependencies {
  changes: CalendarChanges;
  /** Who this process is, for the leases (default: a fresh id). */
  holder?: string;
}

/**
 * Reads what changed in each calendar since its shared position and brings each change home,
 * once: the position is read and moved under a lease, and a process that finds the lease taken
 * asks its holder to read again, so a change announced while it was being read is not missed.
 *
 * @example
 * const sync = calendarSync(deps);
 * await sync.syncAll(); // or sync.syncSource(calendarId) when Google says that calendar changed
 */
export function calendarSync(deps: CalendarSyncDependencies) {
  const { changes, store } = deps;
  const processId = deps.holder ?? randomUUID();

  async function syncSource(source: string): Promise<SyncRound> {
    const round: SyncRound = { notOurs: 0, unchanged: 0, past: 0, moved: 0, cancelled: 0 };
    // Each read holds the lease on its own: two reads in one process exclude each other too.
    const holder = `${processId}/${randomUUID()}`;
    let claim = await store.claim(source, holder, SYNC_LEASE_MS);
    if (!claim) {
      await store.requestAgain(source);
      return { ...round, busy: true };
    }
    try {
      for (;;) {
        const read = await changes.changesSince(source, claim.position);
        for (const change of latestOfEach(read.changes)) round[await reconcileChange(change, deps)] += 1;
        if (!(await store.advance(source, holder, read.position))) {
          log.warn({ event: 'calendar.sync_lease_lost', source }, 'another process took over this calendar');
          return round;
        }
        if (read.resynced) log.warn({ event: 'calendar.resynced', source }, 'sync token expired: calendar read again');
        if (!(await store.takeRequest(source))) break;
        // Asked to read again meanwhile: the lease is renewed for another round.
        if (!(await store.claim(source, holder, SYNC_LEASE_MS))) break;
        claim = { position: read.position };
      }
    } finally {
      await store.release(source, holder);
    }
    if (round.moved + round.cancelled > 0) log.info({ event: 'calendar.synced', source, ...round });
    return round;
  }

  async function syncAll(): Promise<SyncRound> {
    const total: SyncRound = { notOurs: 0, unchanged: 0, past: 0, moved: 0, cancelled: 0 };
    for (const source of changes.sources()) {
      const round = await syncSource(source);
      for (const key of Object.keys(total) as Reconciled[]) total[key] += round[key];
      if (round.busy) total.busy = true;
    }
    return total;
  }

  return { syncSource, syncAll, sources: () => changes.sources() };
}

export type CalendarSync = ReturnType<typeof calendarSync>;

/**
 * Each event's last change only, in the order of those last changes. Google reports an event once,
 * as it stands; the embedded stores log every write, and replaying an appointment's older writes
 * (booked on Thursday, then moved by the chat to Friday, read in one go) would "move" it back to
 * Thursday and tell the customer so.
 */
export function latestOfEach(changes: CalendarChange[]): CalendarChange[] {
  const latest = new Map<string, CalendarChange>();
  for (const change of changes) {
    latest.delete(change.eventId);
    latest.set(change.eventId, change);
  }
  return [...latest.values()];
}

/**
 * Reads every calendar every `seconds`, one round at a time: alone when Google cannot reach cita
 * (no public URL), and as a safety net under push notifications otherwise.
 */
export function startCalendarPolling(sync: CalendarSync, seconds: number) {
  let round: Promise<unknown> | undefined;
  const look = () => {
    if (round) return;
    round = sync
      .syncAll()
      .catch((error) => log.warn({ event: 'calendar.sync_failed', error: String(error) }, 'calendar not read'))
      .finally(() => {
        round = undefined;
      });
  };
  const timer = setInterval(look, seconds * 1000);
  timer.unref();
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await round;
    },
  };
}
