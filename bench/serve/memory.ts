// Where a serving process's memory goes at start: the steps of `retain serve` (imports, TensorFlow.js,
// the runtime with its model, the app) in one process, with a full garbage collection before each
// reading, so the numbers are live memory, not garbage waiting for a collection. Needs the serving
// benchmark's model and database (run bench/serve/run.ts once with --database-url first).
//
//   node --expose-gc --import tsx bench/serve/memory.ts [--database-url postgres://.../retain_serve_bench]
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/retain_serve_bench' } } });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const rows: string[][] = [];
let previous = process.memoryUsage();
const mib = (b: number) => (b / 2 ** 20).toFixed(1);
const step = (name: string): void => {
  gc();
  const m = process.memoryUsage();
  rows.push([name, mib(m.rss), mib(m.rss - previous.rss), mib(m.heapUsed), mib(m.external), mib(m.arrayBuffers)]);
  previous = m;
};

step('node + tsx');
const { createApp } = await import('../../src/api/app.ts');
step('import the app (routes, dashboard, metrics)');
const { ServiceRuntime } = await import('../../src/services/runtime.ts');
const { openMigratedDatabase } = await import('../../src/db/client.ts');
const { createLogger } = await import('../../src/logger.ts');
await import('../../src/cli/commands/serve.ts');
step('import the rest of the serve command');
const { initTf } = await import('../../src/ml/numeric/tf.ts');
await initTf();
step('start TensorFlow.js (wasm backend)');
const logger = createLogger('silent');
const database = await openMigratedDatabase({ DATABASE_URL: values['database-url'], PGLITE_DIR: '' });
const runtime = new ServiceRuntime({ database, modelsDir: 'data/generated/serve-bench/models', logger, pollMs: 0, attributionDays: 90, servedFlushMs: 0 });
await runtime.start();
step('runtime started (catalog, model, fresh purchases)');
while (runtime.recommendations.pendingPrefetch > 0) await new Promise((r) => setTimeout(r, 100));
step('fold-in lists of the fresh customers computed');
createApp({ runtime, logger });
step('app built');

const head = ['step', 'RSS MiB', 'Δ RSS', 'heap used', 'external', 'array buffers'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |\n`;
process.stdout.write(line(head) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join(''));
runtime.stop();
await database.close();
