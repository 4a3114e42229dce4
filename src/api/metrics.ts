// Prometheus metrics through prom-client, one registry per app: the default process and Node.js
// metrics (CPU, memory, event-loop lag, GC), request counts by route and status, a request-latency
// histogram by route, and gauges read from the runtime at scrape time. Route patterns (not raw
// paths) keep the label sets small.
//
// The hot path: each label set's counts are looked up once and kept. Request counts are added up in
// plain numbers and handed to the counter when it is scraped (its collect hook), because a
// prom-client increment costs ~0.6 µs (label validation and hashing on every call). A prom-client
// histogram cannot take a batch (each observe validates and hashes its labels, ~1 µs), so request
// latencies are counted per bucket in a typed array and exposed by a small metric of our own in
// the same registry, in prom-client's histogram format. bench/serve/metrics.ts measures the cost.
import type { MiddlewareHandler } from 'hono';
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { ServiceRuntime } from '../services/runtime.ts';
import type { AppEnv } from './app-env.ts';

/** Upper bounds in seconds; recommendations aim at single-digit milliseconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

interface StatusCount {
  counter: Counter.Internal;
  /** Requests since the last scrape. */
  pending: number;
}

interface RouteChildren {
  labels: { method: string; route: string };
  /** Observations per bucket of BUCKETS (not cumulative), the last one +Inf. */
  buckets: Float64Array;
  sum: number;
  byStatus: Map<number, StatusCount>;
}

export class Metrics {
  private readonly registry = new Registry();
  private readonly routes = new Map<string, RouteChildren>();
  private readonly requests = new Counter({
    name: 'retain_http_requests_total',
    help: 'HTTP requests by route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
    collect: () => {
      for (const route of this.routes.values()) {
        for (const s of route.byStatus.values()) {
          if (s.pending > 0) s.counter.inc(s.pending);
          s.pending = 0;
        }
      }
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.registry.registerMetric(this.durationMetric() as unknown as Metric);
  }

  /** retain_http_request_duration_seconds, read from the routes' bucket counts at each scrape. */
  private durationMetric() {
    const name = 'retain_http_request_duration_seconds';
    return {
      name,
      help: 'Time from request to response headers.',
      type: 'histogram',
      aggregator: 'sum',
      get: () => {
        const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
        for (const r of this.routes.values()) {
          let cumulative = 0;
          for (const [b, le] of [...BUCKETS, '+Inf' as const].entries()) {
            cumulative += r.buckets[b]!;
            values.push({ labels: { le, ...r.labels }, value: cumulative, metricName: `${name}_bucket` });
          }
          values.push({ labels: r.labels, value: r.sum, metricName: `${name}_sum` }, { labels: r.labels, value: cumulative, metricName: `${name}_count` });
        }
        return { name, help: 'Time from request to response headers.', type: 'histogram', values, aggregator: 'sum' };
      },
    };
  }

  /** Gauges read from the service runtime at each scrape. */
  addRuntimeGauges(rt: ServiceRuntime): this {
    const gauge = (name: string, help: string, value: () => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(value());
        },
      });
    new Gauge({
      name: 'retain_model_loaded',
      help: 'Active recommender version (1 when loaded).',
      labelNames: ['version'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        if (rt.models.current) this.set({ version: rt.models.current.manifest.version }, 1);
      },
    });
    gauge('retain_model_reloads_total', 'Recommender loads since start.', () => rt.models.reloads);
    gauge('retain_catalog_items', 'Items in the in-memory catalog.', () => rt.catalog.size);
    gauge('retain_fresh_purchase_customers', 'Customers with purchases since the model was trained.', () => rt.freshCustomers);
    gauge('retain_fold_in_pending', 'Customers whose fold-in recommendations are queued for precomputation.', () => rt.recommendations.pendingPrefetch);
    gauge('retain_api_keys_active', 'Active API keys.', () => rt.keys.size);
    // the model's embeddings and lists are typed arrays: the part of external memory they take
    // attribution: counted in plain numbers on the hot path, handed to prom-client at scrape
    const counter = (name: string, help: string, value: () => number) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(value());
        },
      });
    new Counter({
      name: 'retain_recommendations_served_total',
      help: 'Recommendation lists served (and recorded for attribution), by source.',
      labelNames: ['source'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [source, n] of Object.entries(rt.attribution.counts.served)) this.inc({ source }, n);
      },
    });
    counter('retain_recommendation_clicks_total', 'Click events naming a served list (recommendation_id).', () => rt.attribution.counts.clicks);
    counter('retain_recommendation_conversions_total', 'Purchase events naming a served list (recommendation_id).', () => rt.attribution.counts.conversions);
    counter('retain_served_lists_dropped_total', 'Served lists not recorded: the buffer was full or a write failed.', () => rt.attribution.counts.dropped);
    gauge('retain_served_lists_buffered', 'Served lists waiting to be written.', () => rt.attribution.buffered);
    gauge('retain_array_buffers_bytes', 'Memory of ArrayBuffers (typed arrays), part of nodejs_external_memory_bytes.', () => process.memoryUsage().arrayBuffers);
    return this;
  }

  middleware(): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      const start = performance.now();
      await next();
      this.observe(c.req.method, c.req.routePath, c.res.status, (performance.now() - start) / 1000);
    };
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route}`;
    let children = this.routes.get(key);
    if (!children) this.routes.set(key, (children = { labels: { method, route }, buckets: new Float64Array(BUCKETS.length + 1), sum: 0, byStatus: new Map() }));
    let count = children.byStatus.get(status);
    if (!count) children.byStatus.set(status, (count = { counter: this.requests.labels(method, route, String(status)), pending: 0 }));
    count.pending++;
    let b = 0;
    while (b < BUCKETS.length && seconds > BUCKETS[b]!) b++;
    children.buckets[b]!++;
    children.sum += seconds;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
