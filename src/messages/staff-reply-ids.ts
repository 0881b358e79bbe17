import { StaffEvent } from '../../machines/staff.events.ts';

/**
 * Reply ids of the staff's buttons and rows, written as the customer's are (`TYPE` or
 * `TYPE:value`): "SHOW_AGENDA:2026-11-25", "PICK_APPOINTMENT:<id>", "HAND_BACK:34600000001".
 */
const PAYLOAD_FIELD: Partial<Record<StaffEvent['type'], string>> = {
  SHOW_AGENDA: 'date',
  PICK_APPOINTMENT: 'appointmentId',
  HAND_BACK: 'phone',
  SET_LANGUAGE: 'language',
};

export function staffReplyIdFor(event: StaffEvent): string {
  const field = PAYLOAD_FIELD[event.type];
  const value = field ? (event as Record<string, unknown>)[field] : undefined;
  return value === undefined ? event.type : `${event.type}:${String(value)}`;
}

/** The staff event a tapped button or row stands for, or undefined for an id cita never sent staff. */
export function staffEventFromReplyId(id: string): StaffEvent | undefined {
  const colon = id.indexOf(':');
  const type = colon === -1 ? id : id.slice(0, colon);
  const field = PAYLOAD_FIELD[type as StaffEvent['type']];
  const candidate = field && colon !== -1 ? { type, [field]: id.slice(colon + 1) } : { type };
  const parsed = StaffEvent.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}
