import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds from the webhook's 200 to the last reply of the turn: most turns take well under a second. */
export const REPLY_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];
/** Seconds one call to an outside service takes (Calendar, LLM). */
export const CALL_LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15];

export interface CitaMetricsOptions {
  /** Also collect Node's process metrics (CPU, memory, event loop lag). One registry per process does. */
  processMetrics?: boolean;
}

/**
 * Every metric cita exposes at `GET /metrics`, on a registry of its own (never prom-client's global
 * one), so each process, and each test, counts only what it did. Names and what they tell a shop
 * are listed in the README ("Running it for real").
 *
 * @example
 * const metrics = new CitaMetrics({ processMetrics: true });
 * metrics.bookings.inc({ change: 'created' });
 * await metrics.registry.metrics(); // Prometheus text format
 */
export class CitaMetrics {
  readonly registry = new Registry();

  /** Per shop, bounded by the shops served (a message for a shop no longer served is counted as dropped instead). */
  readonly shopMessages = new Counter({
    name: 'cita_shop_messages_total',
    help: 'Customer messages handled, by shop id',
    labelNames: ['shop'] as const,
    registers: [this.registry],
  });

  readonly shopBookings = new Counter({
    name: 'cita_shop_bookings_total',
    help: 'Booking changes recorded, by shop id and change (created, cancelled, moved, attendance_confirmed)',
    labelNames: ['shop', 'change'] as const,
    registers: [this.registry],
  });

  readonly inboundMessages = new Counter({
    name: 'cita_inbound_messages_total',
    help: 'Customer messages accepted into the inbox, by kind (text, reply = a tapped button or list row, voice, reaction, unsupported = any other attachment)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly voiceNotes = new Counter({
    name: 'cita_voice_notes_total',
    help: 'Voice notes by outcome: transcribed, or why not (not_configured, media_expired, too_large, transcription_failed, empty_transcript, ...)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly outreach = new Counter({
    name: 'cita_outreach_messages_total',
    help: 'Messages cita starts on its own, by kind (reminder, waitlist_offer, rebook_nudge, thank_you) and outcome (sent, template, failed, unanswered, opted_out, no_show)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly duplicates = new Counter({
    name: 'cita_inbound_duplicates_total',
    help: 'Redeliveries of messages already accepted (WhatsApp retries), dropped before any work',
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'cita_rate_limited_messages_total',
    help: 'Messages over the per-phone limit: answered once with "slow down" (slow_down) or dropped',
    labelNames: ['verdict'] as const,
    registers: [this.registry],
  });

  readonly replyLatency = new Histogram({
    name: 'cita_reply_latency_seconds',
    help: 'Time from accepting a message (webhook 200) to its last reply being sent',
    buckets: REPLY_LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly messagesAbandoned = new Counter({
    name: 'cita_messages_abandoned_total',
    help: 'Messages given up on after failing every try (the customer got no answer)',
    registers: [this.registry],
  });

  readonly llmCalls = new Histogram({
    name: 'cita_llm_call_duration_seconds',
    help: 'LLM calls by provider and outcome (ok, timeout, rate_limited, ...), with how long each took',
    labelNames: ['provider', 'outcome'] as const,
    buckets: CALL_LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly llmSkipped = new Counter({
    name: 'cita_llm_skipped_total',
    help: 'LLM calls not made because the provider failed too often lately (circuit breaker open)',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly llmGaveUp = new Counter({
    name: 'cita_llm_gave_up_total',
    help: 'Messages no LLM provider could read: the customer was asked again',
    registers: [this.registry],
  });

  readonly llmDroppedEvents = new Counter({
    name: 'cita_llm_dropped_events_total',
    help: 'Events of LLM answers thrown away, by reason (too_many, not_allowed, impossible, repeated)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly refusedEvents = new Counter({
    name: 'cita_refused_events_total',
    help: 'Events read from a message but not applied: not accepted by the live conversation, a yes to a question the customer was not asked, or a yes only a model read',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly shopFilesRefused = new Counter({
    name: 'cita_shop_files_refused_total',
    help: 'Shop files refused as they were read (invalid, a missing secret, a number or id another file claims); the last good version keeps serving',
    registers: [this.registry],
  });

  readonly inboundDropped = new Counter({
    name: 'cita_inbound_dropped_total',
    help: 'Webhook items dropped at the border (unreadable, for a number no shop owns, a forged simulator id), and messages for a shop no longer served (unknown_shop); the rest is handled',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly inboundIgnored = new Counter({
    name: 'cita_inbound_ignored_total',
    help: 'Webhook items that need no answer, by why (a reaction taken back, a Flow reply, an echo of cita’s own message, another field…)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly userIdRefused = new Counter({
    name: 'cita_whatsapp_user_id_refused_total',
    help: 'Messages WhatsApp refused because their kind cannot go to a customer known only by a user id (131062), by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly calendarCalls = new Histogram({
    name: 'cita_calendar_call_duration_seconds',
    help: 'Calendar calls by operation (busy, create, get, cancel, reschedule, upcomingFor) and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: CALL_LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly holds = new Counter({
    name: 'cita_slot_holds_total',
    help: 'Slot holds taken, or refused because another customer holds part of the slot',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly undelivered = new Counter({
    name: 'cita_whatsapp_undelivered_total',
    help: 'Messages WhatsApp refused or failed to deliver, by purpose (reply, reminder, customerNotice, staffNotice) and reason (outsideWindow, unreachable, template, tokenExpired, refused)',
    labelNames: ['purpose', 'reason'] as const,
    registers: [this.registry],
  });

  readonly staffNotices = new Counter({
    name: 'cita_staff_notices_total',
    help: 'Notices to staff phones by kind (booked, moved, cancelled, handoff) and outcome (sent, template, not_sent = outside the 24-hour window with no template, muted, failed)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly bookings = new Counter({
    name: 'cita_bookings_total',
    help: 'Appointments created, cancelled or moved, and visits confirmed from a reminder',
    labelNames: ['change'] as const,
    registers: [this.registry],
  });

  readonly stateEntries = new Counter({
    name: 'cita_conversation_state_entries_total',
    help: 'Conversations arriving at each step of the booking machine after a message (the booking funnel)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly outboundStatuses = new Counter({
    name: 'cita_outbound_messages_total',
    help: "Delivery statuses WhatsApp reported for cita's messages (sent, delivered, read, failed)",
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly outboundThrottled = new Counter({
    name: 'cita_outbound_throttled_total',
    help: 'Times WhatsApp answered "too many messages" (130429, 131056) and cita slowed its sending down',
    registers: [this.registry],
  });

  readonly #depthSources: (() => Promise<number>)[] = [];

  constructor(options: CitaMetricsOptions = {}) {
    const sources = this.#depthSources;
    new Gauge({
      name: 'cita_inbox_depth',
      help: 'Messages accepted and not yet answered (those being handled included), read at each scrape',
      registers: [this.registry],
      async collect() {
        if (sources.length === 0) return;
        const depths = await Promise.all(sources.map((depth) => depth()));
        this.set(depths.reduce((sum, depth) => sum + depth, 0));
      },
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Reads the embedded database's transactions and commits at each scrape (how well commits are grouped). */
  watchEmbeddedDatabase(counts: () => { transactions: number; commits: number }): void {
    for (const [name, help, key] of [
      ['cita_sqlite_transactions_total', 'Transactions asked of the embedded SQLite database', 'transactions'],
      [
        'cita_sqlite_commits_total',
        'Commits to the embedded SQLite file (transactions asked for together share one)',
        'commits',
      ],
    ] as const) {
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(counts()[key]);
        },
      });
    }
  }

  /** Reads the inbox's depth at each scrape (an inbox without `depth()` reports nothing). */
  watchInboxDepth(depth: () => Promise<number>): void {
    this.#depthSources.push(depth);
  }
}
