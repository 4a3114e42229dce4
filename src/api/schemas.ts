// Schemas shared by several routes: the problem body, scored items, a customer's scores,
// query-string helpers, CSV cells. Routes import these, never each other.
import { z } from '@hono/zod-openapi';
import type { RecommendedItem } from '../services/recommendations.ts';

export const ProblemSchema = z
  .object({
    type: z.literal('about:blank'),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ example: 'validation_failed' }),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })),
  })
  .openapi('Problem');

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

/** The error responses every authenticated route may give, for the OpenAPI document. */
export const errorResponses = {
  400: problem('Invalid path or query parameters, or a body that is not JSON'),
  401: problem('Missing or invalid API key'),
  403: problem('The API key lacks the needed scope'),
  404: problem('Not found'),
  413: problem('Body larger than the limit'),
  422: problem('Body does not match the schema'),
  503: problem('No model loaded yet, or the database is unavailable (code database_unavailable); retry after the Retry-After seconds'),
} as const;

/** The header of a JSON answer serialised before the handler returns it (the one c.json sets). */
export const JSON_TYPE = { 'content-type': 'application/json' } as const;

export const ItemSchema = z
  .object({
    item_id: z.string(),
    score: z.number(),
    title: z.string().nullable(),
    category: z.string().nullable(),
    price: z.number().nullable(),
  })
  .openapi('ScoredItem');

export function itemJson(i: RecommendedItem): z.infer<typeof ItemSchema> {
  // model scores are float32: digits beyond 7 significant ones are noise from widening to double
  return { item_id: i.itemId, score: Number(i.score.toPrecision(7)), title: i.title, category: i.category, price: i.price };
}

/** A query value that may repeat (`?category=a&category=b`) or hold a comma list. */
export const stringList = (description: string) =>
  z
    .preprocess((v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).filter((s) => s !== '')), z.array(z.string().max(200)).max(200).optional())
    .openapi({ description, type: 'array', items: { type: 'string' } });

/**
 * The instants a request may name: PostgreSQL's timestamptz has no year 0 and JavaScript's Date
 * prints years past 9999 in a form PostgreSQL does not read, and no shop's data lies outside.
 */
const EARLIEST = new Date('1900-01-01T00:00:00Z');
const LATEST = new Date('9999-12-31T23:59:59.999Z');
const INSTANT_RANGE = 'must lie between 1900-01-01 and 9999-12-31';

/** An ISO-8601 timestamp with a zone (string in, string out) within the storable range. */
export const isoInstant = () =>
  z.iso.datetime({ offset: true }).refine((s) => {
    const t = new Date(s).getTime();
    return t >= EARLIEST.getTime() && t <= LATEST.getTime();
  }, INSTANT_RANGE);

/** A query date (ISO-8601; a time without a zone is UTC, like the purchase data) within the storable range. */
export const queryInstant = (description: string) =>
  z
    .preprocess((v) => (typeof v === 'string' && /T|\s/.test(v) && !/(Z|[+-]\d\d:?\d\d)$/.test(v) ? `${v.replace(' ', 'T')}Z` : v), z.coerce.date().min(EARLIEST, INSTANT_RANGE).max(LATEST, INSTANT_RANGE))
    .openapi({ description, type: 'string', format: 'date-time', example: '2011-09-01' });

export const limitParam = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback).openapi({ description: `How many items (1–${max})`, example: fallback });

export const bool = (description: string, fallback: boolean) =>
  z.stringbool().default(fallback).openapi({ description, type: 'boolean', example: fallback });

// Naive times are read as UTC, like the purchase data itself (JavaScript would read them as local).
/** One CSV cell: quoted per RFC 4180, spreadsheet formulas in text cells defused. */
export function csvCell(s: string): string {
  const safe = /^[=+\-@]/.test(s) && Number.isNaN(Number(s)) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const idParam = (name: string) => z.string().min(1).max(200).openapi({ param: { name, in: 'path' }, example: name === 'customer_id' ? '12347' : '85123A' });

export const ScoresSchema = z
  .object({
    churn_probability: z.number().openapi({ description: 'P(no order within the churn horizon), 0–1' }),
    risk_tier: z.enum(['high', 'medium', 'low']),
    p_alive: z.number().openapi({ description: 'BG/NBD probability the customer is still active' }),
    expected_purchases: z.number().openapi({ description: 'Expected orders in the next horizon' }),
    predicted_clv: z.number().openapi({ description: 'Predicted lifetime value, shop currency' }),
    value_at_risk: z.number().openapi({ description: 'churn_probability × predicted_clv' }),
    expected_next_order_at: z.string().nullable(),
    recency_days: z.number(),
    frequency: z.number().int(),
    monetary: z.number(),
    rfm: z.object({ r: z.number().int(), f: z.number().int(), m: z.number().int() }),
    segment: z.string(),
    reasons: z
      .array(
        z.object({
          reason: z.string().openapi({ description: 'Feature group: recency, frequency, monetary, tenure, variety, cadence, recent_activity, purchase_model or returns' }),
          effect: z.number().openapi({ description: 'Push on the churn logit, largest first' }),
          detail: z.string(),
        }),
      )
      .openapi({ description: 'What pushes the churn score up most' }),
    model_version: z.string(),
    as_of: z.string().openapi({ description: 'The moment the scores describe: recency and every probability are measured to it' }),
    scored_at: z.string().openapi({ description: 'When the row was computed (a full run, or a purchase of the customer)' }),
  })
  .openapi('CustomerScores');
