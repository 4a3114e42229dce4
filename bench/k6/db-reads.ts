// k6 version of bench/db-reads (k6 cannot be installed on the machines the numbers in
// bench/db-reads/README.md come from; this script is for shops that run k6). Two scenarios, one
// after the other, 10 virtual users for 10 s each, against a server on PostgreSQL with a scored
// shop: a customer's scores for random customers, then the at-risk page of 50 with 3 picks each.
//
//   psql "$DATABASE_URL" -Atc "SELECT external_id FROM customers WHERE erased_at IS NULL" > ids.txt
//   k6 run bench/k6/db-reads.ts -e BASE_URL=http://127.0.0.1:8080 -e IDS_FILE=ids.txt [-e API_KEY=rtn_...]
//   (k6 ≥ 1.0 runs TypeScript directly; type-check: npx tsc -p bench/k6/tsconfig.json)
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { scenario } from './scenario.ts';

const BASE_URL = __ENV.BASE_URL ?? 'http://127.0.0.1:8080';
const VUS = Number(__ENV.VUS ?? 10);
const SECONDS = Number(__ENV.SECONDS ?? 10);
if (!__ENV.IDS_FILE) throw new Error('IDS_FILE: a file of customer ids, one per line (see the header of this script)');
const ids = open(__ENV.IDS_FILE).split('\n').filter((line) => line.length > 0);
if (ids.length === 0) throw new Error(`${__ENV.IDS_FILE} holds no customer id`);
const params = __ENV.API_KEY ? { headers: { authorization: `Bearer ${__ENV.API_KEY}` } } : {};

const run = (exec: string, index: number) => scenario(exec, index, VUS, SECONDS);

export const options: Options = {
  scenarios: {
    lookup: run('lookup', 0),
    atRisk: run('atRisk', 1),
  },
  // the targets of issue 14, per scenario (the throughput targets are ratios to pgbench -S: bench/db-reads/run.ts)
  thresholds: {
    'http_req_duration{scenario:lookup}': ['p(99)<10'],
    'http_req_duration{scenario:atRisk}': ['p(99)<50'],
    'http_req_failed': ['rate==0'],
  },
};

export function lookup(): void {
  const res = http.get(`${BASE_URL}/v1/customers/${encodeURIComponent(ids[Math.floor(Math.random() * ids.length)]!)}`, params);
  check(res, { 'status 200': (r) => r.status === 200 });
}

export function atRisk(): void {
  const res = http.get(`${BASE_URL}/v1/churn/at-risk?tier=high&limit=50&with_recommendations=3`, params);
  check(res, { 'status 200': (r) => r.status === 200 });
}
