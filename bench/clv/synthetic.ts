// Customers drawn from the BG/NBD generative process (Fader, Hardie & Lee 2005, section 3): a
// purchase rate λ ~ Gamma(r, α) and a dropout probability p ~ Beta(a, b) per customer; purchases
// arrive as a Poisson process and after each one the customer leaves with probability p.
import { createRng, gammaVariate } from '../../src/ml/numeric/rng.ts';
import type { BgNbdParams } from '../../src/ml/lifetime/bg-nbd.ts';
import type { RepeatSummary } from '../../src/ml/customers/summary.ts';

export interface SyntheticOptions {
  customers: number;
  /** Calibration length in days; first purchases are spread uniformly over it. */
  days: number;
  /** Round purchase times down to whole days, as summaries built from dated transactions are. */
  dayGrained: boolean;
  seed: number;
}

/** A summary in days for `params` (α in days). Same-day repeats are counted once when day-grained. */
export function syntheticSummary(params: BgNbdParams, options: SyntheticOptions): RepeatSummary {
  const { customers, days, dayGrained, seed } = options;
  const rng = createRng(seed);
  const frequency = new Float64Array(customers);
  const recency = new Float64Array(customers);
  const T = new Float64Array(customers);
  for (let i = 0; i < customers; i++) {
    const first = rng.next() * days;
    const horizon = days - first;
    const lambda = gammaVariate(rng, params.r) / params.alpha;
    const x1 = gammaVariate(rng, params.a);
    const p = x1 / (x1 + gammaVariate(rng, params.b));
    let t = 0;
    let x = 0;
    let last = 0;
    let lastDay = 0;
    // The first purchase is at age 0; the customer may leave right after each repeat purchase.
    for (;;) {
      t += -Math.log(1 - rng.next()) / lambda;
      if (t > horizon) break;
      const day = Math.floor(first + t) - Math.floor(first);
      if (!dayGrained) {
        x++;
        last = t;
      } else if (day > lastDay) {
        x++;
        lastDay = day;
        last = day;
      }
      if (rng.next() < p) break;
    }
    frequency[i] = x;
    recency[i] = x > 0 ? last : 0;
    T[i] = dayGrained ? Math.floor(days) - Math.floor(first) : horizon;
  }
  return { frequency, recency, T, unit: 'days' };
}
