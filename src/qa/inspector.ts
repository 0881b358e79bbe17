import type { InspectionEvent } from 'xstate';
import { phoneRef } from '../log.ts';

/**
 * Connects conversations to the Stately inspector: a local server (a page that embeds
 * stately.ai/inspect, plus a WebSocket bridge) and a WebSocket inspector feeding it. Loaded with a
 * dynamic import, so a normal start never loads @statelyai/inspect. The conversation's actor is
 * shown as "<machine> · <phoneRef>" ("booking · …" for a customer, "staff · …" for a staff phone),
 * and the phone number is masked wherever it appears (hold tokens carry it), so it never leaves
 * the process.
 *
 * @example
 * const inspector = await startInspector({ port: 8080 });
 * createCita({ ...options, inspect: inspector.inspect });
 */
export async function startInspector({ port }: { port: number }) {
  const { createInspectorServer } = await import('@statelyai/inspect/server');
  const { createWebSocketInspector } = await import('@statelyai/inspect');
  const server = createInspectorServer({ port, autoOpen: false });
  const names = new Map<string, string>();
  const phones = new Map<string, string>();
  const inspector = createWebSocketInspector({
    url: `ws://localhost:${port}`,
    serialize: (event) => {
      const name = event.type === '@xstate.actor' ? names.get(event.sessionId) : undefined;
      return masked(name ? { ...event, name } : event, phones);
    },
  });

  return {
    url: `http://localhost:${port}`,
    /** For the engine's `inspect` dependency: one observer per conversation. */
    inspect(phone: string) {
      const ref = phoneRef(phone);
      phones.set(phone, ref);
      return function inspectConversation(event: InspectionEvent) {
        // The conversation's own actor has no parent; invoked actors keep their names.
        if (event.type === '@xstate.actor' && !(event.actorRef as { _parent?: unknown })._parent) {
          names.set(event.actorRef.sessionId, `${machineOf(event.actorRef)} · ${ref}`);
        }
        inspector.inspect.next?.(event);
      };
    },
    stop() {
      inspector.stop();
      server.stop();
    },
  };
}

export type Inspector = Awaited<ReturnType<typeof startInspector>>;

/** The id of the machine an actor runs ("booking", "staff"). */
export function machineOf(actorRef: unknown): string {
  return (actorRef as { logic?: { id?: string } }).logic?.id ?? 'booking';
}

/**
 * The engine's `inspect` dependency backed by an inspector that is still loading: start-up stays
 * synchronous, and events seen before the inspector is ready are passed on, in order, once it is.
 */
export function lazyInspector({ port }: { port: number }) {
  const loading = startInspector({ port });
  return {
    ready: loading,
    inspect: (phone: string) => {
      const observer = loading.then((inspector) => inspector.inspect(phone));
      return (event: InspectionEvent) => {
        observer.then((next) => next(event));
      };
    },
    stop: () => loading.then((inspector) => inspector.stop()),
  };
}

/**
 * An inspection event as plain JSON with every phone number replaced by its phoneRef. An actor's
 * live snapshot is cut down to what the inspector shows (its machine object is large and circular).
 */
function masked<T extends { type: string }>(event: T, phones: Map<string, string>): T {
  const plain =
    event.type === '@xstate.actor' && 'snapshot' in event
      ? { ...event, snapshot: visible(event.snapshot as Record<string, unknown> | undefined) }
      : event;
  const json = JSON.stringify(plain, (_key, value) => {
    if (typeof value !== 'string') return value;
    let text = value;
    for (const [phone, ref] of phones) text = text.replaceAll(phone, ref);
    return text;
  });
  return JSON.parse(json);
}

function visible(snapshot: Record<string, unknown> | undefined) {
  if (!snapshot) return snapshot;
  const { status, value, context, output, error } = snapshot;
  return { status, value, context, output, error: error === undefined ? undefined : String(error) };
}
