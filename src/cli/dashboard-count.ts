// The line `retain import` and `retain score churn` print after bringing the dashboard's summaries up to date.
import type { DashboardCount } from '../jobs/count-dashboard.ts';

export function printDashboardCount(c: DashboardCount): void {
  process.stdout.write(`dashboard      summaries counted in ${(c.ms / 1000).toFixed(1)} s (customers ${c.customers}, retention months ${c.months})\n`);
}
