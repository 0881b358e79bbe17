import { getStateNodes } from '@xstate/graph';
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { bookingMachine } from '../../machines/booking.machine.ts';

/**
 * The machine's transitions, read from its definition: what the coverage report counts and the
 * diagram draws. A transition is named by where it is declared, its event and its place among
 * that event's branches ("booking.choosingSlot on PICK_TIME #1").
 */
export interface MachineTransition {
  key: string;
  /** The state node that declares it; the machine's root for "from any step". */
  source: AnyStateNode;
  /** "PICK_TIME", "always", "findFreeSlots done", "holdSlot error". */
  event: string;
  guard?: string;
  targets: readonly AnyStateNode[];
  definition: AnyTransitionDefinition;
}

/** The machines the reports and diagrams are drawn for; the booking machine unless named. */
export function machineStates(machine: AnyStateMachine = bookingMachine): AnyStateNode[] {
  return getStateNodes(machine.root);
}

export function machineTransitions(machine: AnyStateMachine = bookingMachine): MachineTransition[] {
  const transitions: MachineTransition[] = [];
  for (const node of [machine.root, ...machineStates(machine)]) {
    for (const [eventType, branches] of node.transitions) {
      branches.forEach((definition, i) => {
        transitions.push(describe(node, definition, `${node.id} on ${eventType} #${i}`, eventName(node, eventType)));
      });
    }
    node.always?.forEach((definition, i) => {
      transitions.push(describe(node, definition, `${node.id} always #${i}`, 'always'));
    });
  }
  return transitions;
}

/** One line for reports: "choosingSlot: PICK_TIME [isOfferedTime] → holdingSlot". */
export function transitionLabel(transition: MachineTransition): string {
  const from = transition.source.parent === undefined ? 'any step' : transition.source.key;
  const to = transition.targets.map((target) => target.key).join(', ') || '(stays)';
  return `${from}: ${transition.event}${transition.guard ? ` [${transition.guard}]` : ''} → ${to}`;
}

function describe(node: AnyStateNode, definition: AnyTransitionDefinition, key: string, event: string) {
  const guard = guardName(definition.guard);
  return {
    key,
    source: node,
    event,
    ...(guard && { guard }),
    targets: definition.target ?? [],
    definition,
  };
}

/** Invocation events read as the actor's name: "findFreeSlots done". */
function eventName(node: AnyStateNode, eventType: string): string {
  if (eventType === '*') return 'anything else';
  const match = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  if (!match) return eventType;
  const invoke = node.invoke.find((i) => i.id === match[2]);
  return `${invoke ? String(invoke.src) : match[2]} ${match[1]}`;
}

/** Named guards as written in `setup`; `and([...])` and `not(...)` spelled out. */
function guardName(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String(guard.type);
  const composite = guard as { check?: unknown; guards?: unknown[] } & ((...args: unknown[]) => unknown);
  const parts = (composite.guards ?? []).map(guardName);
  const kind = composite.check && typeof composite.check === 'function' ? composite.check.name : '';
  if (kind === 'checkNot') return `not ${parts[0]}`;
  if (kind === 'checkAnd') return parts.join(' and ');
  if (kind === 'checkOr') return parts.join(' or ');
  return 'inline guard';
}
