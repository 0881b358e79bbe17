import type { InspectionEvent } from 'xstate';
import type { OutboundMessage } from '../messages/whatsapp.ts';
import type { LiveBookingActor } from './booking-flow.ts';
import type { StoredConversation } from './ports.ts';

/** What the engine gives every machine's turn, whichever machine the phone gets. */
export interface FlowDependencies {
  /** Receives every actor's inspection events (the Stately inspector). */
  inspect?: (phone: string) => ((event: InspectionEvent) => void) | undefined;
}

/** One message's effect on the phone's machine: what to save and what to answer. */
export interface FlowTurn {
  machine: NonNullable<StoredConversation['machine']>;
  machineVersion: number;
  snapshot: unknown;
  /** The state the conversation rests in now ("confirming", "showingAgenda"). */
  state: string;
  replies: OutboundMessage[];
  /** Nothing happened (a reaction that answers no question): nothing is saved or answered. */
  ignored?: boolean;
  /** What a voice note said, for the record of turns. */
  heard?: string;
  /**
   * The booking actor that made `snapshot`, still running: the engine keeps it for the phone's
   * next message once the snapshot is saved, and stops it otherwise.
   */
  live?: LiveBookingActor;
}
