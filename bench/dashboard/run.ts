// Server-side render time of every dashboard page (app.request: routing, services, queries, chart
// rendering, HTML), cold (a process's first request) and warm (median of --rounds later
// requests), in three phases: the first count of the shop's summaries (nothing stored), a new
// process (summaries stored), and new purchases arriving (see `phases`), then the count-dashboard
// job's own time from nothing stored; on two databases:
//   --sample                   the bundled shop in PGlite, as the browser test builds it
//   --database-url URL         a generated 100,000-customer shop in a fresh database on that
//                              PostgreSQL server (dropped afterwards): 20,000 items, ~1.35M purchase
//                              lines over two years, one score row per customer, and a generated
//                              100,000 × 20,000 ALS model (bench/serve's generator, 16 factors);
//                              --keep leaves that database in place for EXPLAIN ANALYZE
// Usage: npx tsx bench/dashboard/run.ts --sample | --database-url postgres://postgres@127.0.0.1:5432/test [--rounds 5]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { createApp, type App } from '../../src/api/app.ts';
import { migrate, openDatabase, queryRows, type Database } from '../../src/db/client.ts';
import { dashboardSummaries } from '../../src/db/schema/index.ts';
import { countDashboard } from '../../src/jobs/count-dashboard.ts';
import { createLogger } from '../../src/logger.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { ServiceRuntime } from '../../src/services/runtime.ts';
import { openSampleShop } from '../../test/browser/sample-shop.ts';
import { prepareBenchModel } from '../serve/generate.ts';

const { values } = parseArgs({ options: { sample: { type: 'boolean', default: false }, 'database-url': { type: 'string' }, rounds: { type: 'string', default: '5' }, keep: { type: 'boolean', default: false } } });
const rounds = Number(values.rounds);
const log = (s: string) => process.stdout.write(`${s}\n`);
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

const PAGES = (customerId: string) =>
  [
    ['overview', '/dashboard'],
    ['segments', '/dashboard/segments'],
    ['at-risk', '/dashboard/at-risk'],
    ['at-risk filtered', '/dashboard/at-risk?tier=high&segment=lost&min_clv=100'],
    ['customer', `/dashboard/customers/${customerId}`],
    ['models', '/dashboard/models'],
    ['campaigns', '/dashboard/campaigns'],
  ] as const;

async function timed(app: App, path: string): Promise<{ ms: number; bytes: number }> {
  const t = performance.now();
  const res = await app.request(path);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return { ms: performance.now() - t, bytes: body.length };
}

/** Every page: the first request of this process (cold), then the median and max of --rounds more. */
async function measure(runtime: ServiceRuntime, customerId: string): Promise<void> {
  const app = createApp({ runtime, logger: createLogger('silent') });
  log(`load average before: ${load()}`);
  log('| page | cold ms | warm ms (median) | warm ms (max) | bytes |');
  log('|---|---|---|---|---|');
  for (const [name, path] of PAGES(customerId)) {
    const cold = await timed(app, path);
    const warm: number[] = [];
    for (let r = 0; r < rounds; r++) warm.push((await timed(app, path)).ms);
    warm.sort((a, b) => a - b);
    log(`| ${name} | ${cold.ms.toFixed(0)} | ${warm[Math.floor(warm.length / 2)]!.toFixed(0)} | ${warm.at(-1)!.toFixed(0)} | ${cold.bytes} |`);
  }
  log(`load average after: ${load()}`);
}

/**
 * The three moments of a shop's summaries: the first count (nothing stored yet), a new process
 * (another replica, or a restart: the summaries are stored), and new purchases arriving (the page
 * answers with the figures it has while the update runs; then the updated figures).
 */
async function phases(database: Database, start: () => Promise<ServiceRuntime>, customerId: string): Promise<void> {
  log('### first count: nothing stored');
  const first = await start();
  await measure(first, customerId);
  first.stop();
  log('### a new process: summaries stored');
  const second = await start();
  await measure(second, customerId);
  const app = createApp({ runtime: second, logger: createLogger('silent') });
  const added = await addPurchases(database, ARRIVING);
  log(`### ${added.lines} new purchase lines of ${added.customers} customers arrive`);
  const stale = await timed(app, '/dashboard');
  const t = performance.now();
  await second.dashboardInsights.settled();
  const update = performance.now() - t + stale.ms;
  const fresh = await timed(app, '/dashboard');
  const html = await (await app.request('/dashboard')).text();
  const counted = /Customers<\/div><div class="value">([\d,]+)</.exec(html)?.[1];
  log(`overview right after: ${stale.ms.toFixed(0)} ms (figures before the purchases); update done ${update.toFixed(0)} ms after the first request; next overview ${fresh.ms.toFixed(0)} ms, customers ${counted}`);
  second.stop();
  // what `retain import` / `retain score churn` now do at their end: the same count, from nothing stored
  await database.db.delete(dashboardSummaries);
  const job = await countDashboard(database);
  log(`### count-dashboard job, nothing stored: ${job.ms.toFixed(0)} ms (customers ${job.customers}, retention months ${job.months})`);
}

/** Lines arriving at once in the update phase (dated at the newest purchase, so the month grid stays), for this many distinct customers. */
const ARRIVING = { customers: 200, linesPerCustomer: 3 };

async function addPurchases(database: Database, n: typeof ARRIVING): Promise<{ lines: number; customers: number }> {
  const db = database.db;
  const [row] = await queryRows<{ lines: string | number; customers: string | number }>(
    db,
    sql`with c as (select id from customers where erased_at is null order by id desc limit ${n.customers}),
             i as (select min(id) as item from items),
             last as (select max(occurred_at) as at from purchases),
             ins as (
               insert into purchases (customer_id, item_id, order_id, line_no, quantity, unit_price, occurred_at)
               select c.id, i.item, 'bench-' || c.id, l, 1, 2.5, last.at
               from c cross join i cross join last cross join generate_series(1, ${n.linesPerCustomer}) l
               returning customer_id)
        select count(*) as lines, count(distinct customer_id) as customers from ins`,
  );
  return { lines: Number(row!.lines), customers: Number(row!.customers) };
}

async function generatedShop(url: string): Promise<void> {
  const name = `retain_dashboard_bench_${process.pid}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  let database: Database | undefined;
  try {
    database = await openDatabase({ url: dbUrl.toString(), maxConnections: 4 });
    await migrate(database);
    const started = performance.now();
    const sql = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} });
    await sql.unsafe(`insert into items (external_id, title, category, price)
      select 'item-' || i, 'Item ' || i, 'cat-' || (i % 20), 1 + (i % 50) from generate_series(0, 19999) i`);
    await sql.unsafe(`insert into customers (external_id, email) select 'cust-' || u, 'cust-' || u || '@example.com' from generate_series(0, 99999) u`);
    await sql.unsafe(`select setseed(0.42)`);
    await sql.unsafe(`with c as (select id, timestamptz '2024-01-01 00:00+00' + random() * interval '600 days' as first_at, 1 + floor(power(random(), 2) * 12)::int as n from customers),
        o as (select c.id as customer_id, c.id || '-' || k as order_id,
                     c.first_at + case when k = 0 then interval '0' else random() * (timestamptz '2025-12-31 00:00+00' - c.first_at) end as at
              from c cross join lateral generate_series(0, c.n - 1) k)
      insert into purchases (customer_id, item_id, order_id, line_no, quantity, unit_price, occurred_at)
      select o.customer_id, (select min(id) from items) + floor(random() * 20000)::bigint, o.order_id, l, 1 + floor(random() * 4)::int, round((1 + random() * 20)::numeric, 2), o.at
      from o cross join generate_series(1, 3) l`);
    await sql.unsafe(`insert into customer_scores (customer_id, churn_probability, risk_tier, p_alive, expected_purchases, predicted_clv, value_at_risk,
        recency_days, frequency, monetary, r_score, f_score, m_score, segment, reasons, model_version)
      select id, p, (case when p > 0.7 then 'high' when p >= 0.4 then 'medium' else 'low' end)::risk_tier, 1 - p * random(), 3 * random(), clv, p * clv,
             600 * random(), 1 + floor(random() * 12)::int, 200 * random(), 1 + floor(random() * 5)::int, 1 + floor(random() * 5)::int, 1 + floor(random() * 5)::int,
             (array['champions','loyal','new','promising','at risk','lost','hibernating','needs attention'])[1 + floor(random() * 8)::int],
             '[{"reason":"recency","effect":0.31,"detail":"last order 40 days ago"},{"reason":"frequency","effect":0.12,"detail":"3 orders"}]'::jsonb, 'generated'
      from (select id, random() as p, 2000 * random() as clv from customers) x`);
    await sql.unsafe('analyze');
    const [counts] = await sql.unsafe(`select (select count(*) from purchases) as lines, (select count(*) from customers) as customers`);
    await sql.end();
    log(`generated ${counts!.customers} customers, ${counts!.lines} purchase lines in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await initTf();
    const model = await prepareBenchModel('data/generated/dashboard-bench', { customers: 100_000, items: 20_000, factors: 16, historyPerCustomer: 8, freshCustomers: 0, freshItemsPerCustomer: 0, categories: 20 });
    log('## 100,000 customers, PostgreSQL');
    const db = database;
    await phases(
      database,
      async () => {
        const runtime = new ServiceRuntime({ database: db, modelsDir: model.modelsDir, logger: createLogger('silent'), pollMs: 0 });
        await runtime.start();
        return runtime;
      },
      'cust-4242',
    );
  } finally {
    await database?.close();
    if (values.keep) log(`kept database ${name}`);
    else await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end({ timeout: 5 });
  }
}

if (values.sample) {
  const shop = await openSampleShop((line) => log(`setup: ${line}`));
  const top = (await shop.runtime.churn.page({ limit: 1, withRecommendations: 0 })).entries[0]!.row.externalId;
  log('## sample shop (4,338 customers), PGlite');
  shop.runtime.stop();
  await phases(
    shop.database,
    async () => {
      const runtime = new ServiceRuntime({ database: shop.database, modelsDir: shop.modelsDir, logger: createLogger('silent'), pollMs: 0 });
      await runtime.start();
      return runtime;
    },
    top,
  );
  await shop.close();
} else if (values['database-url']) {
  await generatedShop(values['database-url']);
} else {
  log('usage: npx tsx bench/dashboard/run.ts --sample | --database-url URL [--rounds N]');
  process.exitCode = 2;
}
