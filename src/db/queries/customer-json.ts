// Customers and their scores as the API answers them (ScoresSchema in src/api/schemas.ts), built
// by the database as one text column: the service passes the text on instead of parsing twenty
// columns (three dates, a jsonb) into objects and serialising them again. The keys, their order and
// the formats are what the routes wrote from the typed rows before (numbers as JavaScript reads them,
// instants as toISOString writes them); test/db/queries/customer-json.test.ts checks that on stored rows.
import { and, eq, inArray, isNull, sql, type Column, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { customers, customerScores } from '../schema/index.ts';

/** A value as JSON text (null for SQL NULL). */
const json = (value: Column | SQL): SQL => sql`coalesce(to_json(${value})::text, 'null')`;

/** An instant as JavaScript's toISOString writes it (milliseconds, Z), quoted; null for NULL. */
const isoJson = (value: Column): SQL => sql`coalesce(to_json(to_char(${value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text, 'null')`;

/** A compact JSON object, keys in the order given; each value already JSON text. */
function jsonObject(fields: readonly (readonly [string, SQL])[]): SQL {
  const parts = fields.map(([key, value], i) => sql`${sql.raw(`'${i === 0 ? '{' : ','}"${key}":'`)}, ${value}`);
  return sql`concat(${sql.join(parts, sql`, `)}, '}')`;
}

const s = customerScores;

/** `scores` of the API's customer and at-risk entries, keys in ScoresSchema's order. */
const scoresJsonText: SQL = jsonObject([
  ['churn_probability', json(s.churnProbability)],
  ['risk_tier', json(s.riskTier)],
  ['p_alive', json(s.pAlive)],
  ['expected_purchases', json(s.expectedPurchases)],
  ['predicted_clv', json(s.predictedClv)],
  ['value_at_risk', json(s.valueAtRisk)],
  ['expected_next_order_at', isoJson(s.expectedNextOrderAt)],
  ['recency_days', json(s.recencyDays)],
  ['frequency', json(s.frequency)],
  ['monetary', json(s.monetary)],
  ['rfm', jsonObject([['r', json(s.rScore)], ['f', json(s.fScore)], ['m', json(s.mScore)]])],
  ['segment', json(s.segment)],
  ['reasons', sql`${s.reasons}::text`],
  ['model_version', json(s.modelVersion)],
  ['as_of', isoJson(s.asOf)],
  ['scored_at', isoJson(s.scoredAt)],
]);

/** An at-risk entry without its recommendations: `{"customer_id", "email", "scores"}`. */
export const atRiskEntryJsonText: SQL = jsonObject([
  ['customer_id', json(customers.externalId)],
  ['email', json(customers.email)],
  ['scores', scoresJsonText],
]);

/** Ids per statement of customersJson: a batch of the service's lookups is rarely larger. */
export const CUSTOMERS_JSON_MAX_IDS = 32;

/**
 * `GET /v1/customers/{id}`'s bodies for the customers among `externalIds` that exist and are not
 * erased (scores null until scored), by external id: as many customers as the service's lookup
 * batcher (src/services/lookup-batcher.ts) gathered in one turn of the event loop, in one
 * statement per CUSTOMERS_JSON_MAX_IDS.
 *
 * Each count of ids has its own prepared statement, `external_id IN ($1, …, $n)`, built once per
 * database: PostgreSQL estimates n rows for it with or without the values, so after its first five
 * runs it keeps the generic plan. With `= ANY($1)` the generic plan assumes ten elements and looks
 * dearer than a plan made for the actual one to four, so every run was planned afresh (0.4 ms of
 * the server's CPU, more than running it).
 */
export async function customersJson(db: Db, externalIds: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(externalIds)];
  const found = new Map<string, string>();
  const chunks: Promise<void>[] = [];
  for (let start = 0; start < ids.length; start += CUSTOMERS_JSON_MAX_IDS) {
    const chunk = ids.slice(start, start + CUSTOMERS_JSON_MAX_IDS);
    const values = Object.fromEntries(chunk.map((id, k) => [`id${k}`, id]));
    chunks.push(customersJsonQuery(db, chunk.length).execute(values).then((rows) => {
      for (const r of rows) found.set(r.externalId, r.body);
    }));
  }
  await Promise.all(chunks);
  return found;
}

function customersJsonQuery(db: Db, n: number) {
  let queries = customersJsonQueries.get(db);
  if (!queries) customersJsonQueries.set(db, (queries = new Map()));
  let query = queries.get(n);
  if (!query) queries.set(n, (query = prepareCustomersJson(db, n)));
  return query;
}

function prepareCustomersJson(db: Db, n: number) {
  const body = jsonObject([
    ['customer_id', json(customers.externalId)],
    ['unsubscribed', json(customers.unsubscribed)],
    ['scores', sql`CASE WHEN ${s.customerId} IS NULL THEN 'null' ELSE ${scoresJsonText} END`],
  ]);
  const ids = Array.from({ length: n }, (_, k) => sql.placeholder(`id${k}`));
  return db
    .select({ externalId: customers.externalId, body: sql<string>`${body}` })
    .from(customers)
    .leftJoin(s, eq(s.customerId, customers.id))
    .where(and(inArray(customers.externalId, ids), isNull(customers.erasedAt)))
    .prepare(`customers_json_${n}`);
}

const customersJsonQueries = new WeakMap<Db, Map<number, ReturnType<typeof prepareCustomersJson>>>();
