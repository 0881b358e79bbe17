import type { Appointment, Calendar, CalendarSyncStore, WrittenAppointment } from '../engine/ports.ts';

/**
 * The calendar as cita writes to it, remembering each appointment as written before the write
 * goes out: when the change comes back from the calendar (its own write echoing), it matches what
 * was remembered and nobody is told. Remembered first, so an echo can never arrive before it; a
 * write that fails puts back what was remembered before.
 */
export function trackedCalendar(calendar: Calendar, store: CalendarSyncStore): Calendar {
  async function writing<T>(id: string, next: WrittenAppointment, write: () => Promise<T>): Promise<T> {
    const before = await store.lastWrite(id);
    await store.rememberWrite(next);
    try {
      return await write();
    } catch (error) {
      if (before) await store.rememberWrite(before).catch(() => {});
      throw error;
    }
  }

  return {
    busy: (window) => calendar.busy(window),
    get: (id) => calendar.get(id),
    upcomingFor: (phone, from) => calendar.upcomingFor(phone, from),
    between: (window) => calendar.between(window),
    block: (block) => calendar.block(block),
    async create(appointment: Appointment) {
      const stored = await writing(appointment.id, { ...appointment, cancelled: false }, () =>
        calendar.create(appointment),
      );
      // An id written before answers the stored appointment: that is what stands.
      if (stored.start !== appointment.start || stored.end !== appointment.end) {
        await store.rememberWrite({ ...stored, cancelled: false });
      }
      return stored;
    },
    reschedule: (appointment) =>
      writing(appointment.id, { ...appointment, cancelled: false }, () => calendar.reschedule(appointment)),
    async cancel(id: string) {
      const written = (await store.lastWrite(id)) ?? (await calendar.get(id));
      if (!written) return calendar.cancel(id);
      return writing(id, { ...written, cancelled: true }, () => calendar.cancel(id));
    },
  };
}
