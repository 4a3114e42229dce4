// Writes a synthetic purchase file in the canonical layout (gzip CSV) for memory and speed runs:
// `npx tsx bench/import/generate.ts [lines=5000000] [out=data/generated/purchases-5m.csv.gz]`.
// Orders of 1-40 lines (mean ~20), 1% cancellations, a few bad rows, time ascending over two years.
import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { createGzip } from 'node:zlib';
import { createRng } from '../../src/ml/numeric/rng.ts';

export async function generatePurchaseFile(path: string, lines: number, seed = 7): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const rng = createRng(seed);
  const gzip = createGzip({ level: 1 });
  const done = gzip.pipe(createWriteStream(path));
  const customers = Math.max(100, Math.round(lines / 100));
  const items = Math.max(100, Math.round(lines / 250));
  const start = Date.UTC(2022, 0, 1);
  const span = 2 * 365 * 86_400_000;
  let buffer = 'customer_id,order_id,item_id,quantity,unit_price,occurred_at\n';
  let written = 0;
  for (let order = 0; written < lines; order++) {
    const customer = `C${rng.int(customers)}`;
    const at = new Date(start + Math.floor((span * written) / lines)).toISOString().slice(0, 19).replace('T', ' ');
    const cancel = rng.next() < 0.01;
    const size = 1 + rng.int(40);
    for (let k = 0; k < size && written < lines; k++, written++) {
      const item = `SKU${rng.int(items)}`;
      const quantity = (1 + rng.int(12)) * (cancel ? -1 : 1);
      const price = (0.5 + rng.int(5000) / 100).toFixed(2);
      // One row in ten thousand lacks its customer: the rejects path runs too.
      const who = rng.next() < 1e-4 ? '' : customer;
      buffer += `${who},${cancel ? 'C' : ''}${order},${item},${quantity},${price},${at}\n`;
    }
    if (buffer.length > 1 << 20) {
      if (!gzip.write(buffer)) await once(gzip, 'drain');
      buffer = '';
    }
  }
  gzip.end(buffer);
  await once(done, 'finish');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines = Number(process.argv[2] ?? 5_000_000);
  const out = process.argv[3] ?? 'data/generated/purchases-5m.csv.gz';
  const t = performance.now();
  await generatePurchaseFile(out, lines);
  process.stderr.write(`wrote ${lines} lines to ${out} in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}
