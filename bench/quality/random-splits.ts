// Recommendation quality on random splits, the way a new user tries retain on a ratings-like file:
// Online Retail's cleaned lines split 75/25 at random by customer-item pair (seed 1), stratified per
// customer and, separately, per item, written as user,item,timestamp files and evaluated by the
// `retain evaluate --train F --test F` job, with --model auto (the validation decided from the
// files) and with EASE lambda 500 as the reference. Test numbers are measured once, never tuned on.
//   npx tsx bench/quality/random-splits.ts [--stratum customer|item] [--json]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateRecommender, type EvaluateResult } from '../../src/jobs/evaluate.ts';
import { readPurchaseLog } from '../../src/import/read-purchase-log.ts';
import type { PurchaseLog } from '../../src/ml/customers/purchase-log.ts';
import { splitRandomHoldout, type Stratum } from '../../src/ml/customers/random-split.ts';
import { specLabel } from '../../src/ml/cf/spec-label.ts';

const { values } = parseArgs({ options: { stratum: { type: 'string' }, json: { type: 'boolean', default: false } } });
const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');
const dir = mkdtempSync(join(tmpdir(), 'retain-random-splits-'));
const rows: { stratum: Stratum; auto: EvaluateResult; ease: EvaluateResult; seconds: number }[] = [];
try {
  for (const stratum of (['customer', 'item'] as const).filter((s) => !values.stratum || s === values.stratum)) {
    const { train, test } = splitRandomHoldout(log, { fraction: 0.25, stratum, seed: 1 });
    const data = { train: join(dir, `${stratum}-train.csv`), test: join(dir, `${stratum}-test.csv`) };
    writeInteractions(data.train, train);
    writeInteractions(data.test, test);
    const started = performance.now();
    const auto = await evaluateRecommender({ data, model: 'auto', k: 10, validation: 'auto' });
    const seconds = (performance.now() - started) / 1000;
    const ease = await evaluateRecommender({ data, model: { algorithm: 'ease', lambda: 500 }, k: 10 });
    process.stderr.write(`${stratum}: auto ${specLabel(auto.model)} ndcg@10 ${auto.report.ndcg.toFixed(5)}, EASE 500 ${ease.report.ndcg.toFixed(5)} (${seconds.toFixed(0)} s)\n`);
    rows.push({ stratum, auto, ease, seconds });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (values.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
else {
  const f = (x: number) => x.toFixed(5);
  const lines = ['| split (75/25 random by pair, seed 1) | test users | EASE λ 500 nDCG@10 | auto nDCG@10 | auto vs EASE | auto chose | validation | selection s |', '|---|---|---|---|---|---|---|---|'];
  for (const { stratum, auto, ease, seconds } of rows) {
    const gain = (auto.report.ndcg / ease.report.ndcg - 1) * 100;
    lines.push(`| per ${stratum} | ${auto.report.users} | ${f(ease.report.ndcg)} | ${f(auto.report.ndcg)} | ${gain >= 0 ? '+' : ''}${gain.toFixed(1)}% | ${specLabel(auto.model)} | ${auto.selection?.validation.mode ?? ''} | ${seconds.toFixed(0)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function writeInteractions(path: string, l: PurchaseLog): void {
  const out = ['user,item,timestamp'];
  for (let k = 0; k < l.customer.length; k++) out.push(`${l.customerIds[l.customer[k]!]},${l.itemIds[l.item[k]!]},${new Date(l.time[k]!).toISOString()}`);
  writeFileSync(path, `${out.join('\n')}\n`);
}
