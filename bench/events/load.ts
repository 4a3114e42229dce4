// The load generator of the events benchmark, as its own lean process (like bench/serve/load.ts):
// autocannon POSTing batches of purchase events, every request with fresh event ids.
//
//   node --import tsx bench/events/load.ts SPEC.json
//
// SPEC: { url, connections, duration, warmup, title, batch, customersPerBatch, customers, items, seed, runId }.
// A batch holds `batch` purchase lines of `customersPerBatch` customers drawn from `customers`
// (one order each), items drawn from `items`, dated on the last day of the bundled sample.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface EventLoadSpec {
  url: string;
  connections: number;
  duration: number;
  warmup: number;
  title: string;
  batch: number;
  customersPerBatch: number;
  customers: string[];
  items: string[];
  seed: number;
  /** Keeps event and order ids unique across scenarios on one database. */
  runId: string;
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as EventLoadSpec;
let state = spec.seed | 0 || 1;
const next = (n: number): number => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % n;
};
let request = 0;
const DAY = Date.parse('2011-12-09T08:00:00Z');

function body(): string {
  const r = request++;
  const events = [];
  const perCustomer = Math.ceil(spec.batch / spec.customersPerBatch);
  let customer = '';
  for (let k = 0; k < spec.batch; k++) {
    if (k % perCustomer === 0) customer = spec.customers[next(spec.customers.length)]!;
    const order = `${spec.runId}-${r}-${Math.floor(k / perCustomer)}`;
    events.push({
      event_id: `${spec.runId}-${r}-${k}`,
      type: 'purchase',
      customer_id: customer,
      item_id: spec.items[next(spec.items.length)]!,
      quantity: 1 + next(12),
      price: 1.25,
      occurred_at: new Date(DAY + next(8 * 3_600_000)).toISOString(),
      order_id: order,
      line_no: 1 + (k % perCustomer),
    });
  }
  return JSON.stringify({ events });
}

const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.duration,
  warmup: { connections: spec.connections, duration: spec.warmup },
  title: spec.title,
  requests: [{ method: 'POST', path: '/v1/events', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: body() }) }],
});
process.stdout.write(JSON.stringify(result));
