// The first lines of the bundled Online Retail file (2010-12-01 .. 2010-12-09, a few hundred
// customers) as a CSV of its own: enough history for a quick training run on a real shop.
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

const SOURCE = 'data/online-retail/online_retail_lines.csv.gz';

/** Writes the header and the first `lines` purchase lines of Online Retail to `path`. */
export async function writeOnlineRetailSlice(path: string, lines = 20_000): Promise<void> {
  const out = createWriteStream(path);
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(SOURCE).pipe(createGunzip()), crlfDelay: Infinity })) {
    out.write(`${line}\n`);
    if (++n > lines) break;
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
