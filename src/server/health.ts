/** One outside system the process cannot work without, and how to see that it answers. */
export interface ReadinessCheck {
  name: string;
  /** Resolves when the system answers; throws (with the reason) when it does not. */
  check(): Promise<void>;
}

export interface Readiness {
  ready: boolean;
  /** Names of the checks that failed. */
  failing: string[];
  checks: Record<string, { ok: true } | { ok: false; error: string }>;
}

/** Probes come every few seconds from every load balancer: one real check per this many ms at most. */
export const READY_CACHE_MS = 5_000;
/** A check that takes longer than this counts as failed: a probe must answer quickly. */
export const CHECK_TIMEOUT_MS = 2_000;

/**
 * Runs the readiness checks, at most once per `cacheMs`; probes in between get the last answer,
 * and probes arriving while a check runs share it.
 *
 * @example
 * const ready = cachedReadiness([{ name: 'redis', check: async () => void (await redis.ping()) }]);
 * (await ready()).ready; // true
 */
export function cachedReadiness(
  checks: ReadinessCheck[],
  { cacheMs = READY_CACHE_MS, timeoutMs = CHECK_TIMEOUT_MS, now = Date.now } = {},
) {
  let last: { at: number; result: Promise<Readiness> } | undefined;
  return function readiness(): Promise<Readiness> {
    if (last && now() - last.at < cacheMs) return last.result;
    last = { at: now(), result: runChecks(checks, timeoutMs) };
    return last.result;
  };
}

async function runChecks(checks: ReadinessCheck[], timeoutMs: number): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([check(), timeout]);
        return [name, { ok: true }] as const;
      } catch (error) {
        return [name, { ok: false, error: String(error).slice(0, 300) }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const failing = results.filter(([, result]) => !result.ok).map(([name]) => name);
  return { ready: failing.length === 0, failing, checks: Object.fromEntries(results) };
}
