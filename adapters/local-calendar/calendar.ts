import { join } from 'node:path';
import { z } from 'zod';
import { Appointment, type Calendar, type Interval, TimeBlock } from '../../src/engine/ports.ts';
import { JsonFile } from './json-file.ts';

const CalendarFile = z.object({ appointments: z.array(Appointment), blocks: z.array(TimeBlock).default([]) });

/**
 * The embedded calendar: the shop's appointments in `<dataDir>/calendar.json`, so bookings
 * survive a restart. Used when no Google Calendar is configured.
 */
export class LocalCalendar implements Calendar {
  readonly #file: JsonFile<z.infer<typeof CalendarFile>>;

  constructor(dataDir: string) {
    this.#file = new JsonFile(join(dataDir, 'calendar.json'), CalendarFile, () => ({ appointments: [], blocks: [] }));
  }

  async busy(window: Interval): Promise<Interval[]> {
    const { appointments, blocks } = await this.#file.read();
    return [...appointments, ...blocks]
      .filter((a) => overlaps(a, window))
      .map(({ start, end }) => ({ start, end }))
      .sort((a, b) => a.start.localeCompare(b.start));
  }

  async between(window: Interval): Promise<Appointment[]> {
    const { appointments } = await this.#file.read();
    return appointments.filter((a) => overlaps(a, window)).sort((a, b) => a.start.localeCompare(b.start));
  }

  block(block: TimeBlock): Promise<void> {
    const valid = TimeBlock.parse(block);
    return this.#file.update((document) => {
      if (!document.blocks.some((b) => b.id === valid.id)) document.blocks.push(valid);
    });
  }

  create(appointment: Appointment): Promise<Appointment> {
    // Parsed before it is written: one bad entry would make the whole file unreadable.
    const valid = Appointment.parse(appointment);
    return this.#file.update((document) => {
      const existing = document.appointments.find((a) => a.id === appointment.id);
      if (existing) return existing;
      document.appointments.push(valid);
      return valid;
    });
  }

  async get(id: string): Promise<Appointment | undefined> {
    return (await this.#file.read()).appointments.find((a) => a.id === id);
  }

  async cancel(id: string): Promise<void> {
    await this.#file.update((document) => {
      document.appointments = document.appointments.filter((a) => a.id !== id);
    });
  }

  reschedule(appointment: Appointment): Promise<Appointment> {
    const valid = Appointment.parse(appointment);
    return this.#file.update((document) => {
      const index = document.appointments.findIndex((a) => a.id === valid.id);
      if (index === -1) throw new Error(`no appointment ${valid.id} to move`);
      document.appointments[index] = { ...document.appointments[index], ...valid };
      return document.appointments[index];
    });
  }

  async upcomingFor(phone: string, from: Date): Promise<Appointment[]> {
    const { appointments } = await this.#file.read();
    return appointments
      .filter((a) => a.phone === phone && Date.parse(a.start) >= from.getTime())
      .sort((a, b) => a.start.localeCompare(b.start));
  }
}

function overlaps(interval: Interval, window: Interval): boolean {
  return Date.parse(interval.start) < Date.parse(window.end) && Date.parse(interval.end) > Date.parse(window.start);
}
