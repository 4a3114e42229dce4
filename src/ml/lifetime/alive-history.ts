// P(alive) over a customer's life under a fitted BG/NBD model, the curve of lifetimes'
// `plot_history_alive`: at each midnight from the day after the first purchase to the end, the
// summary of the purchases before that midnight (x, t_x, T in days, as summarizeCustomers builds
// it) goes through probabilityAlive. It jumps to 1 at each repeat purchase and decays between them.
import { probabilityAlive, type BgNbdParams } from './bg-nbd.ts';

export interface AliveHistory {
  /** Day numbers (days since the epoch, UTC) of the midnights evaluated. */
  day: Float64Array;
  pAlive: Float64Array;
}

/**
 * `purchaseDays`: the UTC day numbers of the customer's orders (any order, repeats allowed);
 * `endDay`: the last midnight, normally the scoring cutoff's day number; at most `maxPoints`
 * midnights are evaluated (evenly spaced, the last always included).
 */
export function aliveHistory(params: BgNbdParams, purchaseDays: ArrayLike<number>, endDay: number, maxPoints = 400): AliveHistory {
  const days = [...new Set(Array.from(purchaseDays))].sort((a, b) => a - b);
  if (days.length === 0) throw new RangeError('aliveHistory needs at least one purchase day');
  if (!Number.isInteger(endDay) || days.some((d) => !Number.isInteger(d))) throw new RangeError('day numbers must be integers');
  const first = days[0]!;
  if (endDay <= first) throw new RangeError(`endDay ${endDay} must come after the first purchase day ${first}`);
  const span = endDay - first;
  const points = Math.min(span, maxPoints);
  const day = new Float64Array(points);
  const pAlive = new Float64Array(points);
  let seen = 0;
  for (let k = 0; k < points; k++) {
    // midnights first+1 .. endDay, evenly spaced
    const d = first + Math.round(((k + 1) * span) / points);
    while (seen < days.length && days[seen]! < d) seen++;
    const last = days[seen - 1]!;
    day[k] = d;
    pAlive[k] = probabilityAlive(params, seen - 1, last - first, d - first);
  }
  return { day, pAlive };
}
