// k6: the write path. Batches of purchase events (idempotent by event_id), each followed by a
// recommendation request for the same customer, which must already reflect the purchase.
//
//   k6 run bench/k6/events.ts -e BASE_URL=http://127.0.0.1:8080 -e API_KEY=rtn_...   (write + read scopes)
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import type { Options } from 'k6/options';

const BASE_URL = __ENV.BASE_URL ?? 'http://127.0.0.1:8080';
const ITEMS = Number(__ENV.ITEMS ?? 20_000);
const BATCH = Number(__ENV.BATCH ?? 20);
const headers: Record<string, string> = { 'content-type': 'application/json', ...(__ENV.API_KEY ? { authorization: `Bearer ${__ENV.API_KEY}` } : {}) };

export const options: Options = {
  vus: Number(__ENV.VUS ?? 20),
  duration: `${__ENV.SECONDS ?? 10}s`,
  thresholds: { http_req_failed: ['rate==0'], checks: ['rate==1'] },
};

export default function (): void {
  const run = `${exec.vu.idInTest}-${exec.vu.iterationInScenario}`;
  const customer = `k6-${run}`;
  const items = Array.from({ length: BATCH }, (_, k) => `item-${(exec.vu.iterationInScenario * BATCH + k) % ITEMS}`);
  const events = items.map((item, k) => ({ event_id: `k6-${run}-${k}`, type: 'purchase', customer_id: customer, item_id: item, occurred_at: new Date().toISOString() }));
  const res = http.post(`${BASE_URL}/v1/events`, JSON.stringify({ events }), { headers });
  check(res, { 'events accepted': (r) => r.status === 200 && r.json('accepted') === BATCH });
  const recs = http.get(`${BASE_URL}/v1/customers/${customer}/recommendations?limit=10`, { headers });
  check(recs, {
    'personalized at once': (r) => r.json('source') === 'personalized',
    'purchases excluded': (r) => {
      const got = (r.json('items') as { item_id: string }[]).map((i) => i.item_id);
      return got.every((id) => !items.includes(id));
    },
  });
}
