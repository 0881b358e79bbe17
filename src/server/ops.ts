import { timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import type { CitaMetrics } from '../metrics/registry.ts';
import type { ShopRegistry } from '../shops/registry.ts';
import { cachedReadiness, type ReadinessCheck } from './health.ts';

export interface OpsOptions {
  metrics: CitaMetrics;
  /** When set, `/metrics` answers only requests with `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** What `/readyz` checks (Redis, the calendar); none: ready while not shutting down. */
  readiness?: ReadinessCheck[];
  /** True once the process is shutting down: `/readyz` says so, so load balancers stop sending work. */
  isDraining?: () => boolean;
  /** The shops served and refused: counted in `/readyz`, listed by `GET /shops` (behind the metrics token). */
  shops?: Pick<ShopRegistry, 'status'>;
}

/**
 * The endpoints for whoever runs cita: `/healthz` (the process answers), `/readyz` (it can do
 * work: Redis and the calendar answer, and it is not shutting down) and `/metrics` (Prometheus).
 *
 * @example
 * app.route('/', opsRoutes({ metrics, metricsToken: env.METRICS_TOKEN, readiness }));
 */
export function opsRoutes({ metrics, metricsToken, readiness = [], isDraining = () => false, shops }: OpsOptions) {
  const ops = new Hono();
  const ready = cachedReadiness(readiness);

  ops.get('/healthz', (c) => c.json({ status: 'ok' }));

  ops.get('/readyz', async function readyz(c) {
    if (isDraining()) return c.json({ status: 'shutting down', failing: ['shutdown'] }, 503);
    const result = await ready();
    const status = shops?.status();
    // A refused file is the operator's to fix; the shops loaded keep serving, so it does not fail readiness.
    const shopCounts = status && { shops: { loaded: status.shops.length, refused: status.refused.length } };
    return c.json(
      { status: result.ready ? 'ready' : 'not ready', failing: result.failing, checks: result.checks, ...shopCounts },
      result.ready ? 200 : 503,
    );
  });

  ops.get('/shops', function listShops(c) {
    if (metricsToken !== undefined && !hasBearer(c.req.header('authorization'), metricsToken)) {
      c.header('WWW-Authenticate', 'Bearer realm="cita metrics"');
      return c.json({ error: 'GET /shops needs "Authorization: Bearer <METRICS_TOKEN>"' }, 401);
    }
    return c.json(shops?.status() ?? { shops: [], refused: [] });
  });

  ops.get('/metrics', async function prometheusMetrics(c) {
    if (metricsToken !== undefined && !hasBearer(c.req.header('authorization'), metricsToken)) {
      c.header('WWW-Authenticate', 'Bearer realm="cita metrics"');
      return c.json({ error: 'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>"' }, 401);
    }
    // Without a token the shop's traffic is shown to this machine only (a Prometheus beside cita).
    if (metricsToken === undefined && !isLoopback(remoteAddress(c))) {
      return c.json(
        { error: 'GET /metrics answers only 127.0.0.1 without METRICS_TOKEN: set it to scrape from elsewhere' },
        403,
      );
    }
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });

  return ops;
}

/** Compares the bearer token without leaking through timing how much of it matched. */
function hasBearer(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return header !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
}

/** The peer's address; none for a request made inside the process (`app.request`, as tests do), which has no socket. */
function remoteAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** 127.0.0.0/8, ::1 and IPv4 loopback as IPv6 shows it; no socket at all is this process itself. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}
