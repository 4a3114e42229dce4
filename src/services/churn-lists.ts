// The win-back list: at-risk customers by value at risk, keyset-paginated, each optionally with
// their top picks. The cursor is opaque to clients: the last row's (value at risk, row id).
import type { Db } from '../db/client.ts';
import { atRiskJsonPage, atRiskPage, type AtRiskFilter, type AtRiskJsonRow, type AtRiskRow } from '../db/queries/customer-scores.ts';
import { DomainError } from '../errors.ts';
import type { RecommendationService, RecommendedItem } from './recommendations.ts';

export interface AtRiskQuery extends Omit<AtRiskFilter, 'after'> {
  cursor?: string | undefined;
  /** Top-N items per customer; 0 for none. */
  withRecommendations: number;
}

export interface AtRiskEntry {
  row: AtRiskRow;
  recommendations?: RecommendedItem[];
}

export interface AtRiskPage<E = AtRiskEntry> {
  entries: E[];
  /** Pass back to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** An entry as the API's JSON (`{"customer_id", "email", "scores"}`, built by the database) and its recommendations. */
export interface AtRiskJsonEntry {
  json: string;
  recommendations?: RecommendedItem[];
}

type PagedRow = Pick<AtRiskRow, 'valueAtRisk' | 'customerId' | 'externalId'>;

export class ChurnListService {
  constructor(
    private readonly db: Db,
    private readonly recommendations: RecommendationService,
  ) {}

  async page(q: AtRiskQuery): Promise<AtRiskPage> {
    const rows = await atRiskPage(this.db, { ...q, after: q.cursor ? decodeCursor(q.cursor) : undefined });
    return this.paged(rows, q, (row, recommendations) => ({ row, ...(recommendations && { recommendations }) }));
  }

  /** The same page, each row as the API's JSON: what `GET /v1/churn/at-risk` answers. */
  async jsonPage(q: AtRiskQuery): Promise<AtRiskPage<AtRiskJsonEntry>> {
    const rows = await atRiskJsonPage(this.db, { ...q, after: q.cursor ? decodeCursor(q.cursor) : undefined });
    return this.paged(rows, q, (row: AtRiskJsonRow, recommendations) => ({ json: row.json, ...(recommendations && { recommendations }) }));
  }

  /** Every matching row, page by page, for streamed exports (memory stays at one page). */
  async *all(q: Omit<AtRiskQuery, 'cursor'>, pageSize = 1000): AsyncGenerator<AtRiskEntry> {
    let cursor: string | undefined;
    let remaining = q.limit;
    do {
      const page = await this.page({ ...q, limit: Math.min(pageSize, remaining), cursor });
      yield* page.entries;
      remaining -= page.entries.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor && remaining > 0);
  }

  private paged<R extends PagedRow, E>(rows: R[], q: AtRiskQuery, entry: (row: R, recommendations: RecommendedItem[] | undefined) => E): AtRiskPage<E> {
    const n = q.withRecommendations;
    const entries = rows.map((row) => entry(row, n > 0 ? this.recommendations.forCustomer(row.externalId, { limit: n }).items : undefined));
    const last = rows[rows.length - 1];
    return { entries, nextCursor: rows.length === q.limit && last ? encodeCursor(last) : null };
  }
}

function encodeCursor(row: PagedRow): string {
  return Buffer.from(JSON.stringify([row.valueAtRisk, row.customerId])).toString('base64url');
}

function decodeCursor(cursor: string): { valueAtRisk: number; customerId: number } {
  try {
    const [valueAtRisk, customerId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof valueAtRisk === 'number' && Number.isSafeInteger(customerId)) return { valueAtRisk, customerId: customerId as number };
  } catch {
    // fall through to the error below
  }
  throw new DomainError('invalid_request', 'cursor is not one this service issued', [{ path: 'query.cursor', message: 'invalid cursor' }]);
}
