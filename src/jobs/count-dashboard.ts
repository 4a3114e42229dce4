// The count-dashboard job: brings the dashboard's stored summaries (shop history, score figures;
// src/services/dashboard-insights.ts) up to the database's data, so the first page view after an
// import or a scoring run reads them instead of waiting for the count. Run after those jobs.
import type { Database } from '../db/client.ts';
import { erasedCustomerIds } from '../db/queries/customers.ts';
import { DashboardInsights } from '../services/dashboard-insights.ts';

export interface DashboardCount {
  customers: number;
  months: number;
  ms: number;
}

export async function countDashboard(database: Database): Promise<DashboardCount> {
  const started = performance.now();
  const erased = (await erasedCustomerIds(database.db)).length;
  const insights = new DashboardInsights(database.db, () => erased, { storeEveryMs: 0 });
  // the first read counts, or loads what is stored and updates it in the background: wait for both
  await insights.overview();
  await insights.settled();
  const o = await insights.overview();
  return { customers: o.totals.customers, months: o.monthly.length, ms: performance.now() - started };
}
