// Per-customer reasons: which feature groups push a customer's churn score up the most. A group's
// effect is occlusion: logit(x) − logit(x with the group's features set to the training mean,
// i.e. 0 after standardisation), in logit units. For logistic regression this is exactly Σ wⱼ·zⱼ
// over the group; for the MLP it is the change the group alone makes against an average customer.
import { churnNetLogits, type ChurnNet } from './model.ts';

export interface ChurnReasons {
  /** How many reasons per customer (k). */
  perCustomer: number;
  /** n × k group indices (into the `groups` list passed in), −1 where fewer than k groups raise the score. */
  group: Int16Array;
  /** n × k effects in logit units, largest first. */
  effect: Float32Array;
}

/**
 * Top-k positive group effects per row. `x` holds standardised features (n × d, row-major),
 * `columnGroup[j]` names the group of column j, `logits` are churnNetLogits(net, x).
 */
export function topChurnReasons(
  net: ChurnNet,
  x: Float32Array,
  rows: number,
  logits: Float32Array,
  columnGroup: readonly string[],
  groups: readonly string[],
  k = 3,
): ChurnReasons {
  const d = net.inputSize;
  if (columnGroup.length !== d) throw new RangeError(`${columnGroup.length} column groups for ${d} features`);
  const effects = groups.map((g) => {
    const columns = columnGroup.flatMap((name, j) => (name === g ? [j] : []));
    const occluded = x.slice();
    for (let i = 0; i < rows; i++) for (const j of columns) occluded[i * d + j] = 0;
    const z = churnNetLogits(net, occluded, rows);
    for (let i = 0; i < rows; i++) z[i] = logits[i]! - z[i]!;
    return z;
  });
  const group = new Int16Array(rows * k).fill(-1);
  const effect = new Float32Array(rows * k);
  for (let i = 0; i < rows; i++) {
    // insertion into a k-long list kept sorted by effect, descending
    for (let g = 0; g < groups.length; g++) {
      const v = effects[g]![i]!;
      if (!(v > 0)) continue;
      let pos = k;
      while (pos > 0 && (group[i * k + pos - 1]! < 0 || effect[i * k + pos - 1]! < v)) pos--;
      if (pos >= k) continue;
      for (let m = k - 1; m > pos; m--) {
        group[i * k + m] = group[i * k + m - 1]!;
        effect[i * k + m] = effect[i * k + m - 1]!;
      }
      group[i * k + pos] = g;
      effect[i * k + pos] = v;
    }
  }
  return { perCustomer: k, group, effect };
}
