// k6 version of bench/serve (k6 cannot be installed on the machines the numbers in
// bench/serve/README.md come from; these scripts are for shops that run k6). Same scenarios, one
// after another, 50 virtual users for 10 s each, against a server loaded with the generated model
// (npx tsx bench/serve/run.ts prepares it) or any shop's data through the env variables below.
//
//   k6 run bench/k6/serve.ts -e BASE_URL=http://127.0.0.1:8080 [-e API_KEY=rtn_...]
//   (k6 ≥ 1.0 runs TypeScript directly; type-check: npx tsc -p bench/k6/tsconfig.json)
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { scenario } from './scenario.ts';

const BASE_URL = __ENV.BASE_URL ?? 'http://127.0.0.1:8080';
const VUS = Number(__ENV.VUS ?? 50);
const SECONDS = Number(__ENV.SECONDS ?? 10);
/** Generated ids: cust-0 … cust-(CUSTOMERS-1), of which the first FRESH bought after training; item-0 … item-(ITEMS-1). */
const CUSTOMERS = Number(__ENV.CUSTOMERS ?? 100_000);
const FRESH = Number(__ENV.FRESH ?? 5_000);
const ITEMS = Number(__ENV.ITEMS ?? 20_000);
const params = __ENV.API_KEY ? { headers: { authorization: `Bearer ${__ENV.API_KEY}` } } : {};

const run = (exec: string, index: number) => scenario(exec, index, VUS, SECONDS);

export const options: Options = {
  scenarios: {
    healthz: run('healthz', 0),
    known: run('known', 1),
    foldIn: run('foldIn', 2),
    similar: run('similar', 3),
  },
  // the targets of issue 5, per scenario
  thresholds: {
    'http_req_duration{scenario:known}': ['p(99)<10'],
    'http_req_duration{scenario:foldIn}': ['p(99)<10'],
    'http_req_duration{scenario:similar}': ['p(99)<10'],
    'http_req_failed': ['rate==0'],
  },
};

const between = (from: number, to: number) => from + Math.floor(Math.random() * (to - from));

export function healthz(): void {
  check(http.get(`${BASE_URL}/healthz`), { 'status 200': (r) => r.status === 200 });
}

export function known(): void {
  const res = http.get(`${BASE_URL}/v1/customers/cust-${between(FRESH, CUSTOMERS)}/recommendations?limit=10`, params);
  check(res, { 'status 200': (r) => r.status === 200, personalized: (r) => r.json('source') === 'personalized' });
}

export function foldIn(): void {
  const res = http.get(`${BASE_URL}/v1/customers/cust-${between(0, FRESH)}/recommendations?limit=10`, params);
  check(res, { 'status 200': (r) => r.status === 200, personalized: (r) => r.json('source') === 'personalized' });
}

export function similar(): void {
  const res = http.get(`${BASE_URL}/v1/items/item-${between(0, ITEMS)}/similar?limit=10`, params);
  check(res, { 'status 200': (r) => r.status === 200 });
}
