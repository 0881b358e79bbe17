import type { Interpreter } from '../interpreter/port.ts';
import { log } from '../log.ts';

/**
 * The interpreter, logged: one debug line per reading with the event types it produced and how
 * long it took. Types only: payloads and the text stay out of the logs.
 */
export function loggedInterpreter(interpreter: Interpreter): Interpreter {
  async function logged<E extends { type: string }>(
    machine: 'booking' | 'staff',
    step: string | undefined,
    read: () => Promise<E[]>,
  ): Promise<E[]> {
    const started = performance.now();
    const events = await read();
    log.debug(
      {
        event: 'interpreter.read',
        machine,
        step,
        events: events.map((event) => event.type),
        ms: Math.round(performance.now() - started),
      },
      'message read',
    );
    return events;
  }
  return {
    interpret: (text, situation) => logged('booking', situation.step, () => interpreter.interpret(text, situation)),
    ...(interpreter.interpretStaff && {
      interpretStaff: (text, situation) =>
        logged('staff', situation.step, () => interpreter.interpretStaff!(text, situation)),
    }),
  };
}
