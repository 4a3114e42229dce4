// Cohort retention: customers grouped by the month of their first order, and the share of each
// cohort that ordered again k months later (k = 0 is the first month, 100% by definition). The
// counts come from the database; this turns them into the triangle a heatmap shows.

/** Months are counted as year × 12 + (month − 1), so consecutive months differ by 1. */
export interface CohortCount {
  cohortMonth: number;
  activeMonth: number;
  /** Distinct customers of the cohort with an order in activeMonth. */
  customers: number;
}

export interface CohortTable {
  /** Cohort months, oldest first. */
  cohorts: number[];
  /** Customers in each cohort (those active in their first month: all of them). */
  sizes: number[];
  /** share[c][k] = active customers of cohort c in month cohort + k, / its size; up to the last month in the data. */
  share: number[][];
}

export function cohortTable(counts: readonly CohortCount[]): CohortTable {
  const byCohort = new Map<number, Map<number, number>>();
  let lastMonth = -Infinity;
  for (const { cohortMonth, activeMonth, customers } of counts) {
    if (activeMonth < cohortMonth) throw new RangeError(`active month ${activeMonth} precedes its cohort ${cohortMonth}`);
    let row = byCohort.get(cohortMonth);
    if (!row) byCohort.set(cohortMonth, (row = new Map()));
    row.set(activeMonth - cohortMonth, (row.get(activeMonth - cohortMonth) ?? 0) + customers);
    lastMonth = Math.max(lastMonth, activeMonth);
  }
  const cohorts = [...byCohort.keys()].sort((a, b) => a - b);
  const sizes = cohorts.map((c) => byCohort.get(c)!.get(0) ?? 0);
  const share = cohorts.map((c, i) => {
    const row = byCohort.get(c)!;
    const size = sizes[i]!;
    return Array.from({ length: lastMonth - c + 1 }, (_, k) => (size === 0 ? 0 : (row.get(k) ?? 0) / size));
  });
  return { cohorts, sizes, share };
}

/** "2011-03" for a month number of this module. */
export function monthLabel(month: number): string {
  return `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;
}
