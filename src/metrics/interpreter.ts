import type { Interpreter } from '../interpreter/port.ts';
import { log } from '../log.ts';

/**
 * The interpreter, logged: one debug line per reading with the event types it produced and how
 * long it took. Types only: payloads and the text stay out of the logs.
 */
export function loggedInterpreter(interpreter: Interpreter): Interpreter {
  return {
    async interpret(text, situation) {
      const started = performance.now();
      const events = await interpreter.interpret(text, situation);
      log.debug(
        {
          event: 'interpreter.read',
          step: situation.step,
          events: events.map((event) => event.type),
          ms: Math.round(performance.now() - started),
        },
        'message read',
      );
      return events;
    },
  };
}
