// A customer's scores, consent and erasure. Erasure also updates this replica's memory at once
// (fresh purchases, the erased set that turns recommendations into the anonymous fallback);
// other replicas learn it from the sync loop.
import type { Db } from '../db/client.ts';
import { CUSTOMERS_JSON_MAX_IDS, customersJson } from '../db/queries/customer-json.ts';
import { customerWithScore, eraseCustomerRows, upsertConsent, type ErasureCounts } from '../db/queries/customers.ts';
import type { CustomerScore } from '../db/schema/index.ts';
import { NotFoundError } from '../errors.ts';
import { LookupBatcher } from './lookup-batcher.ts';

export interface CustomerProfile {
  customerId: string;
  unsubscribed: boolean;
  /** Null until the scoring job has scored the customer. */
  scores: Omit<CustomerScore, 'customerId'> | null;
}

export class CustomerService {
  /** `GET /v1/customers/{id}` is every page view's read: lookups of one turn share one query. */
  private readonly json: LookupBatcher<string, string>;

  constructor(
    private readonly db: Db,
    private readonly onErased: (customerId: string) => void,
  ) {
    // two statements out at once: under load the next batch gathers while they run (bench/db-reads/README.md)
    this.json = new LookupBatcher((ids) => customersJson(db, ids), { maxBatch: CUSTOMERS_JSON_MAX_IDS, maxInFlight: 2 });
  }

  async profile(customerId: string): Promise<CustomerProfile> {
    const row = await customerWithScore(this.db, customerId);
    if (!row || row.customer.erasedAt) throw new NotFoundError(`customer '${customerId}' not found`);
    let scores: CustomerProfile['scores'] = null;
    if (row.score) {
      const { customerId: _id, ...rest } = row.score;
      scores = rest;
    }
    return { customerId, unsubscribed: row.customer.unsubscribed, scores };
  }

  /** The profile as the API's JSON (`{"customer_id", "unsubscribed", "scores"}`), built by the database. */
  async profileJson(customerId: string): Promise<string> {
    const body = await this.json.get(customerId);
    if (body === undefined) throw new NotFoundError(`customer '${customerId}' not found`);
    return body;
  }

  async setConsent(customerId: string, unsubscribed: boolean, email?: string): Promise<{ customerId: string; unsubscribed: boolean }> {
    const row = await upsertConsent(this.db, customerId, unsubscribed, email);
    if (row.erasedAt) throw new NotFoundError(`customer '${customerId}' was erased`);
    return { customerId, unsubscribed: row.unsubscribed };
  }

  async erase(customerId: string): Promise<ErasureCounts> {
    const counts = await eraseCustomerRows(this.db, customerId);
    this.onErased(customerId);
    return counts;
  }
}
