// EASE fitted on both sides (items: the n x n inverse; customers: the m x m inverse and the sparse
// products, ease.ts) for seeded random binary matrices with skewed item popularity near the crossover
// easeSide draws, and the SPARSE_COST at which its rule would flip for each shape. The best of two
// fits per side (the first fit of the process warms the workers and kernels).
//   npx tsx bench/recommender/ease-sides.ts
import { fitEase, easeSide } from '../../src/ml/cf/ease.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { createRng } from '../../src/ml/numeric/rng.ts';
await initTf();
function matrix(m: number, n: number, perRow: number, seed: number) {
  const rng = createRng(seed);
  const rowPtr = new Int32Array(m + 1);
  const cols: number[] = [];
  for (let u = 0; u < m; u++) {
    const set = new Set<number>();
    while (set.size < perRow) set.add(Math.floor(Math.pow(rng.next(), 2) * n)); // skewed popularity
    cols.push(...[...set].sort((a, b) => a - b));
    rowPtr[u + 1] = cols.length;
  }
  return { rows: m, cols: n, rowPtr, colIdx: Int32Array.from(cols), values: new Float32Array(cols.length).fill(1) };
}
const shapes = [[2000, 2300, 15], [2000, 2600, 15], [2000, 2500, 40], [2000, 3000, 40], [2000, 4000, 40], [3000, 4000, 30], [1500, 3000, 60], [2000, 2800, 120], [2000, 3300, 120], [2000, 3800, 120]];
fitEase(matrix(500, 600, 10, 9), { lambda: 200 }); // warm-up: workers, kernels
for (const [m, n, k] of shapes) {
  const x = matrix(m!, n!, k!, 1);
  const t: Record<string, number> = {};
  for (const side of ['items', 'customers', 'items', 'customers'] as const) {
    const s = performance.now();
    fitEase(x, { lambda: 200, side });
    t[side] = Math.min(t[side] ?? Infinity, (performance.now() - s) / 1000);
  }
  const ratio = (m! ** 3 - n! ** 3) / (-(m! + n!) * x.colIdx.length); // SPARSE_COST at which the rule flips
  console.log(`${m} x ${n}, ${x.colIdx.length} entries: items ${t.items!.toFixed(2)} s, customers ${t.customers!.toFixed(2)} s; easeSide picks ${easeSide(m!, n!, x.colIdx.length)}; the rule flips at SPARSE_COST ${ratio.toFixed(0)}`);
}
