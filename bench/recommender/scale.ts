// Scale benchmark: iALS (64 factors, 10 iterations) on a generated shop of 1,000,000 customers,
// 50,000 items and 20,000,000 purchase lines, with a progress bar; prints wall time, CPU seconds
// (all threads) and peak RSS against the targets (<= 300 s on both cores, <= 4 GB). The generated
// matrix is cached in data/generated/.
//   npx tsx bench/recommender/scale.ts [--customers N] [--items N] [--lines N] [--iterations N] [--threads N]
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bytesToFloat32, bytesToInt32, float32ToBytes, int32ToBytes } from '../../src/artifacts/binary.ts';
import { fitAls } from '../../src/ml/cf/als.ts';
import type { Csr } from '../../src/ml/cf/sparse.ts';
import { createRng } from '../../src/ml/numeric/rng.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { setThreadCount, threadCount } from '../../src/ml/numeric/threads.ts';
import { createProgress } from '../../src/progress.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    items: { type: 'string', default: '50000' },
    lines: { type: 'string', default: '20000000' },
    iterations: { type: 'string', default: '10' },
    factors: { type: 'string', default: '64' },
    threads: { type: 'string' },
  },
});
const customers = Number(values.customers);
const items = Number(values.items);
const lines = Number(values.lines);

const backend = await initTf();
if (values.threads !== undefined) setThreadCount(Number(values.threads));
const started = performance.now();
const matrix = await generatedMatrix(customers, items, lines);
const generatedSeconds = (performance.now() - started) / 1000;
console.log(`data: ${customers.toLocaleString('en')} customers x ${items.toLocaleString('en')} items, ${lines.toLocaleString('en')} lines -> ${matrix.colIdx.length.toLocaleString('en')} customer-item pairs (${generatedSeconds.toFixed(1)} s to generate or load); tfjs backend ${backend}, ${threadCount()} threads`);

const iterations = Number(values.iterations);
const progress = createProgress({ label: 'iALS', total: iterations, unit: 'iterations' });
const fitStart = performance.now();
const cpuStart = process.cpuUsage();
const model = fitAls(matrix, { factors: Number(values.factors), iterations, regularization: 30, alpha: 2, weighting: 'log' }, (done) => progress.update(done));
const fitSeconds = (performance.now() - fitStart) / 1000;
const cpu = process.cpuUsage(cpuStart);
// CPU seconds of every thread: on a machine shared with other jobs, what the code costs
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
progress.finish();
const peakGb = (process.resourceUsage().maxRSS * 1024) / 1e9;
let finite = true;
for (const v of model.userFactors) if (!Number.isFinite(v)) finite = false;
console.log(`iALS ${values.factors} factors x ${iterations} iterations: ${fitSeconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU (target <= 300 s: ${fitSeconds <= 300 ? 'met' : 'missed'}), peak RSS ${peakGb.toFixed(2)} GB (target <= 4 GB: ${peakGb <= 4 ? 'met' : 'missed'}), factors finite: ${finite}`);

/**
 * Customers' line counts ~ geometric with the requested mean; items drawn from a Zipf(1.0)
 * popularity law, so a few items are bought by many and most by few, as in real shops.
 * Values are ln(1 + lines of the pair), the reference weighting.
 */
async function generatedMatrix(rows: number, cols: number, total: number): Promise<Csr> {
  const dir = join('data', 'generated', `recommender-scale-${rows}x${cols}x${total}`);
  try {
    const [rowPtr, colIdx, vals] = await Promise.all(['rowptr.i32', 'cols.i32', 'values.f32'].map((f) => readFile(join(dir, f))));
    return { rows, cols, rowPtr: bytesToInt32(rowPtr!), colIdx: bytesToInt32(colIdx!), values: bytesToFloat32(vals!) };
  } catch {
    // not generated yet
  }
  const rng = createRng(2024);
  const cdf = new Float64Array(cols);
  let acc = 0;
  for (let i = 0; i < cols; i++) cdf[i] = acc += 1 / (i + 1);
  for (let i = 0; i < cols; i++) cdf[i]! /= acc;
  const drawItem = (): number => {
    const x = rng.next();
    let lo = 0;
    let hi = cols - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const perCustomer = new Int32Array(rows);
  for (let left = total, u = 0; left > 0; u = (u + 1) % rows) {
    perCustomer[u]!++;
    left--;
    // geometric lengths: keep adding to the same customer with probability 1 - 1/mean
    while (left > 0 && rng.next() < 1 - rows / total) {
      perCustomer[u]!++;
      left--;
    }
  }
  const rowPtr = new Int32Array(rows + 1);
  const colIdx = new Int32Array(total);
  const vals = new Float32Array(total);
  const bar = createProgress({ label: 'generating', total: rows, unit: 'customers' });
  let nnz = 0;
  const basket = new Int32Array(perCustomer.reduce((a, b) => Math.max(a, b), 0));
  for (let u = 0; u < rows; u++) {
    const n = perCustomer[u]!;
    for (let j = 0; j < n; j++) basket[j] = drawItem();
    const sorted = basket.subarray(0, n).sort();
    for (let j = 0; j < n; j++) {
      if (j > 0 && sorted[j] === sorted[j - 1]) vals[nnz - 1]!++;
      else {
        colIdx[nnz] = sorted[j]!;
        vals[nnz++] = 1;
      }
    }
    rowPtr[u + 1] = nnz;
    if (u % 50_000 === 0) bar.update(u);
  }
  bar.finish();
  const m: Csr = { rows, cols, rowPtr, colIdx: colIdx.slice(0, nnz), values: vals.slice(0, nnz).map((c) => Math.log1p(c)) };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'rowptr.i32'), int32ToBytes(m.rowPtr));
  await writeFile(join(dir, 'cols.i32'), int32ToBytes(m.colIdx));
  await writeFile(join(dir, 'values.f32'), float32ToBytes(m.values));
  return m;
}
