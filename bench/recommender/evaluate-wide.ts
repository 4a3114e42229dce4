// `retain evaluate --model auto` on the wide catalog (wide-catalog.ts: 2,325 customers x 17,537
// items, purchase times uniform over 2011) as train/test files split at 2011-10-01, run as a child
// process the way a user runs it. Prints wall seconds, the child's CPU seconds (user + sys, every
// thread), its peak RSS and the load average before and after; --root runs another checkout's CLI
// on the same files (A/B against the code before a change), --json saves the evaluate output.
//   npx tsx bench/recommender/evaluate-wide.ts [--root DIR] [--json PATH]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { wideDraws, WIDE_CATALOG } from './wide-catalog.ts';

const { values: args } = parseArgs({ options: { root: { type: 'string', default: '.' }, json: { type: 'string' } } });
const root = resolve(args.root);
const dir = resolve('data/generated');
const files = { train: join(dir, 'wide-catalog-train.csv'), test: join(dir, 'wide-catalog-test.csv') };
const lines = writeSplit(Date.UTC(2011, 9, 1));
process.stdout.write(`wide catalog ${WIDE_CATALOG.rows} customers x ${WIDE_CATALOG.cols} items: ${lines.train} lines before 2011-10-01 (train), ${lines.test} after (test); CLI of ${root}\n`);

const timing = join(dir, 'evaluate-wide.time');
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
const started = performance.now();
// GNU time reports the child's user and system seconds and its peak RSS (KiB)
const output = execFileSync('/usr/bin/time', ['-o', timing, '-f', '%U %S %M', process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'evaluate', '--train', files.train, '--test', files.test, '--model', 'auto', '--json'], {
  cwd: root,
  env: { ...process.env, LOG_LEVEL: 'warn' },
  encoding: 'utf8',
  maxBuffer: 64 * 2 ** 20,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const wall = (performance.now() - started) / 1000;
const [user, sys, rssKiB] = readFileSync(timing, 'utf8').trim().split(/\s+/).map(Number) as [number, number, number];
rmSync(timing);
if (args.json) writeFileSync(args.json, output);
const result = JSON.parse(output) as { model: { algorithm: string }; report: { ndcg: number }; selection: { seconds: number; trials: { spec: object; ndcg: { mean: number } }[] } };
process.stdout.write(
  [
    `wall ${wall.toFixed(1)} s, CPU ${(user + sys).toFixed(1)} s (user ${user.toFixed(1)}, sys ${sys.toFixed(1)}), peak RSS ${(rssKiB / 2 ** 20).toFixed(2)} GiB; load average before ${loadBefore}, after ${load()}`,
    `selection ${result.selection.seconds.toFixed(1)} s over ${result.selection.trials.length} trials; chose ${JSON.stringify(result.model)}, test nDCG@10 ${result.report.ndcg.toFixed(5)}`,
    '',
  ].join('\n'),
);

/** Writes the draws as user,item,timestamp files, train before `cutoff`; returns the line counts. */
function writeSplit(cutoff: number): { train: number; test: number } {
  mkdirSync(dir, { recursive: true });
  const { customer, item, time } = wideDraws();
  const train = ['user,item,timestamp'];
  const test = ['user,item,timestamp'];
  for (let d = 0; d < customer.length; d++) (time[d]! < cutoff ? train : test).push(`c${customer[d]},i${item[d]},${new Date(time[d]!).toISOString()}`);
  writeFileSync(files.train, `${train.join('\n')}\n`);
  writeFileSync(files.test, `${test.join('\n')}\n`);
  return { train: train.length - 1, test: test.length - 1 };
}
