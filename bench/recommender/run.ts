// Recommender speed on Online Retail, with the numpy/OpenBLAS anchor measured in the same run
// (bench/recommender/ease_numpy.py on the same matrix): EASE fit times as ratios, on Online
// Retail's train matrix (items side) and on a generated wide catalog of 2,325 customers x 17,537
// items (customers side); iALS fit time; batch top-10 for every customer; per-request costs.
// Wall and CPU seconds (all threads) are printed side by side.
//   npx tsx bench/recommender/run.ts [--threads N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { int32ToBytes } from '../../src/artifacts/binary.ts';
import { readPurchaseLog } from '../../src/import/read-purchase-log.ts';
import { easeSide, fitEase } from '../../src/ml/cf/ease.ts';
import { batchRecommend, fitModel, servingState, type ModelSpec } from '../../src/ml/cf/fit.ts';
import { createRecommender } from '../../src/ml/cf/recommender.ts';
import { pairStats, withValues, type Csr } from '../../src/ml/cf/sparse.ts';
import { dotRows, matMul } from '../../src/ml/numeric/linalg.ts';
import { compactLog, splitByTime } from '../../src/ml/customers/split.ts';
import { initTf, tf } from '../../src/ml/numeric/tf.ts';
import { createRng } from '../../src/ml/numeric/rng.ts';
import { setThreadCount, threadCount } from '../../src/ml/numeric/threads.ts';
import { wideCatalog } from './wide-catalog.ts';

const { values: args } = parseArgs({ options: { threads: { type: 'string' } } });
const backend = await initTf();
if (args.threads !== undefined) setThreadCount(Number(args.threads));
const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');
const { train } = splitByTime(log, Date.parse('2011-09-09T00:00:00Z'));
const ease: ModelSpec = { algorithm: 'ease', lambda: 500 };
const als: ModelSpec = { algorithm: 'als', factors: 64, iterations: 15, regularization: 30, alpha: 2, weighting: 'log', solver: 'cg' };

const out: string[] = [`tfjs backend ${backend}, ${threadCount()} threads; Online Retail train (before 2011-09-09): ${train.customerIds.length} customers x ${train.itemIds.length} items`];
const trainMatrix = binary(pairStats(train).matrix);
const wide = wideCatalog();
const anchors = [
  { name: 'EASE lambda 500 fit, Online Retail train', x: trainMatrix },
  { name: `EASE lambda 500 fit, wide catalog (${wide.rows} x ${wide.cols}, density ${((100 * wide.colIdx.length) / (wide.rows * wide.cols)).toFixed(3)}%)`, x: wide },
];
const numpyRuns = anchors.map(({ x }) => numpyEase(x, easeSide(x.rows, x.cols, x.colIdx.length)));
out.push(`numpy ${numpyRuns[0]!.numpy}, ${numpyRuns[0]!.openblas.config ?? 'OpenBLAS ?'}; kernel in use ${numpyRuns[0]!.openblas.kernel ?? '?'}, ${numpyRuns[0]!.openblas.threads ?? '?'} threads (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for it)`, '');
out.push('| task | retain wall (1st, 2nd fit) | retain CPU | numpy wall (1st, 2nd) | numpy CPU | ratio wall, best / best | target |', '|---|---|---|---|---|---|---|');
anchors.forEach(({ name, x }, a) => {
  const side = easeSide(x.rows, x.cols, x.colIdx.length);
  const runs = [0, 1].map(() => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const b = fitEase(x, { lambda: 500 });
    return { wall: (performance.now() - started) / 1000, cpu: cpuSince(cpu), checksum: b.reduce((acc, v) => acc + Math.abs(v), 0) };
  });
  const numpy = numpyRuns[a]!;
  const ratio = Math.min(...runs.map((r) => r.wall)) / Math.min(...numpy.wall);
  out.push(
    `| ${name}, ${side} side | ${runs.map((r) => r.wall.toFixed(2)).join(', ')} s | ${runs.map((r) => r.cpu.toFixed(2)).join(', ')} s | ${numpy.wall.map((w) => w.toFixed(2)).join(', ')} s | ${numpy.cpu.map((w) => w.toFixed(2)).join(', ')} s | ${ratio.toFixed(2)}x | ${a === 0 ? '<= 1.0x' : '<= 3 s'} |`,
  );
  // the same model: sum |B_ij| of both (float32 here, float64 in numpy)
  process.stderr.write(`${name}: retain ${runs.map((r) => r.wall.toFixed(2)).join(', ')} s, numpy ${numpy.wall.map((w) => w.toFixed(2)).join(', ')} s; sum |B| ${runs[1]!.checksum.toFixed(3)} vs numpy ${numpy.checksum.toFixed(3)}\n`);
});
{
  const cpu = process.cpuUsage();
  const fitted = fitModel(train, als);
  const cpuSeconds = cpuSince(cpu);
  // no numpy iALS in this run: REFERENCE.md's 6.3-6.5 s (numpy, 2 threads), another day
  out.push(`| iALS 64 factors, 15 iterations fit (CG, 3 steps) | ${fitted.seconds.toFixed(2)} s | ${cpuSeconds.toFixed(2)} s | REFERENCE.md: 6.3–6.5 s | | ${(fitted.seconds / 6.4).toFixed(2)}x | <= 2x |`);
  process.stderr.write(`iALS fit: ${fitted.seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU\n`);
}

const full = compactLog(log);
const everyone = Int32Array.from({ length: full.customerIds.length }, (_, u) => u);
for (const [name, spec] of [['EASE', ease], ['iALS', als]] as const) {
  const fitted = fitModel(full, spec);
  const started = performance.now();
  const cpu = process.cpuUsage();
  batchRecommend(fitted, everyone, 10);
  const seconds = (performance.now() - started) / 1000;
  out.push(`| batch top-10, all ${everyone.length} customers, ${name} | ${seconds.toFixed(2)} s | ${cpuSince(cpu).toFixed(2)} s | | | <= 2 s |`);
  if (spec.algorithm === 'als') {
    const model = createRecommender(servingState(fitted), 'bench');
    const rng = createRng(3);
    const calls = 2000;
    const users = Int32Array.from({ length: calls }, () => rng.int(everyone.length));
    const allow = (i: number) => i % 50 !== 0;
    let t = performance.now();
    let c = process.cpuUsage();
    for (const u of users) model.recommend(u, 10, allow);
    out.push(`| one request, known customer (cached top-100, filter) | ${(((performance.now() - t) / calls) * 1000).toFixed(1)} µs | ${((cpuSince(c) / calls) * 1e6).toFixed(1)} µs | | | |`);
    const baskets = Array.from(users, (u) => Array.from(fitted.history.colIdx.subarray(fitted.history.rowPtr[u]!, Math.min(fitted.history.rowPtr[u + 1]!, fitted.history.rowPtr[u]! + 20))));
    t = performance.now();
    c = process.cpuUsage();
    for (const b of baskets) model.recommendFromItems(b, 10, allow);
    out.push(`| one request, fold-in of up to 20 items (k x k solve + ${full.itemIds.length} items scored) | ${(((performance.now() - t) / calls) * 1000).toFixed(1)} µs | ${((cpuSince(c) / calls) * 1e6).toFixed(1)} µs | | | |`);
  }
}

// scoring one customer vector against a bigger catalog: plain loop vs one tfjs product per request
const k = 64;
const catalog = 20_000;
const rng = createRng(5);
const items = new Float32Array(catalog * k).map(() => rng.normal());
const itemsByFactor = new Float32Array(catalog * k).map(() => rng.normal());
const vec = new Float32Array(k).map(() => rng.normal());
const scores = new Float32Array(catalog);
const reps = 300;
let t = performance.now();
for (let r = 0; r < reps; r++) dotRows(items, k, vec, scores);
const loopUs = ((performance.now() - t) / reps) * 1000;
t = performance.now();
for (let r = 0; r < reps; r++) matMul(vec, [1, k], itemsByFactor, [k, catalog]);
const uploadUs = ((performance.now() - t) / reps) * 1000;
const resident = tf.tensor2d(itemsByFactor, [k, catalog]);
t = performance.now();
for (let r = 0; r < reps; r++) {
  const product = tf.tidy(() => tf.matMul(tf.tensor2d(vec, [1, k]), resident));
  product.dataSync();
  product.dispose();
}
const residentUs = ((performance.now() - t) / reps) * 1000;
out.push(
  `| score [1x64].[64x20,000], plain loop | ${loopUs.toFixed(0)} µs | | | | |`,
  `| score [1x64].[64x20,000], tfjs ${backend}, items uploaded per call | ${uploadUs.toFixed(0)} µs | | | | |`,
  `| score [1x64].[64x20,000], tfjs ${backend}, items resident | ${residentUs.toFixed(0)} µs | | | | |`,
);
process.stdout.write(`${out.join('\n')}\n`);

/** Times numpy's EASE on `x` in a subprocess (two fits), OpenBLAS's tuning overrides unset. */
function numpyEase(x: Csr, side: 'items' | 'customers'): { wall: number[]; cpu: number[]; checksum: number; numpy: string; openblas: Record<string, string | number> } {
  const dir = mkdtempSync(join(tmpdir(), 'retain-ease-'));
  try {
    writeFileSync(join(dir, 'rowptr.i32'), int32ToBytes(x.rowPtr));
    writeFileSync(join(dir, 'cols.i32'), int32ToBytes(x.colIdx));
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const run = spawnSync('python3', ['bench/recommender/ease_numpy.py', dir, String(x.rows), String(x.cols), '--side', side], { env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`ease_numpy.py failed: ${run.stderr}`);
    return JSON.parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The matrix with every value 1 (EASE's input). */
function binary(m: Csr): Csr {
  return withValues(m, new Float32Array(m.colIdx.length).fill(1));
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}
