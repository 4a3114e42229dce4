// `retain train recommender` end to end, in process, on an embedded database in a temporary
// directory: the printed holdout metrics are recomputed here from the stored purchases alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { currentVersion } from '../../../src/artifacts/store.ts';
import { main } from '../../../src/cli/main.ts';
import { openDatabase, queryRows } from '../../../src/db/client.ts';
import { writeOnlineRetailSlice } from '../../jobs/online-retail-slice.ts';

const CUTOFF = '2010-12-07';
const K = 10;

const dir = mkdtempSync(join(tmpdir(), 'retain-cli-train-'));
const saved = { ...process.env };
const slice = join(dir, 'slice.csv');
const modelsDir = join(dir, 'models');

/** Runs `retain ...` in-process; returns the exit code and what went to stdout. */
async function retain(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await main(argv), out };
  } finally {
    spy.mockRestore();
  }
}

interface Metrics {
  users: number;
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  coverage: number;
}

/**
 * Popularity's holdout metrics by the REFERENCE.md protocol, from the stored purchase lines alone:
 * items ranked by distinct buyers before the cutoff (ties: first bought earlier), each customer's
 * own earlier items skipped; relevant = items bought from the cutoff on that others bought before
 * it and the customer did not.
 */
async function popularityHoldout(cutoff: number): Promise<Metrics> {
  const database = await openDatabase({ dataDir: join(dir, 'db') });
  let lines: { c: string; i: string; t: number }[];
  try {
    lines = await queryRows(
      database.db,
      sql`SELECT c.external_id AS c, i.external_id AS i, (extract(epoch FROM p.occurred_at) * 1000)::float8 AS t
          FROM purchases p JOIN customers c ON c.id = p.customer_id JOIN items i ON i.id = p.item_id
          WHERE p.kind = 'purchase' ORDER BY p.occurred_at, p.id`,
    );
  } finally {
    await database.close();
  }
  const firstSeen = new Map<string, number>();
  const buyers = new Map<string, Set<string>>();
  const bought = new Map<string, Set<string>>();
  for (const { c, i, t } of lines) {
    if (t >= cutoff) continue;
    if (!firstSeen.has(i)) firstSeen.set(i, firstSeen.size);
    (buyers.get(i) ?? buyers.set(i, new Set()).get(i)!).add(c);
    (bought.get(c) ?? bought.set(c, new Set()).get(c)!).add(i);
  }
  const order = [...firstSeen.keys()].sort((a, b) => buyers.get(b)!.size - buyers.get(a)!.size || firstSeen.get(a)! - firstSeen.get(b)!);
  const relevant = new Map<string, Set<string>>();
  for (const { c, i, t } of lines) {
    if (t < cutoff || !bought.has(c) || !firstSeen.has(i) || bought.get(c)!.has(i)) continue;
    (relevant.get(c) ?? relevant.set(c, new Set()).get(c)!).add(i);
  }
  const sum = { precision: 0, recall: 0, ndcg: 0, map: 0 };
  const shown = new Set<string>();
  for (const [c, rel] of relevant) {
    const ranked = order.filter((i) => !bought.get(c)!.has(i)).slice(0, K);
    ranked.forEach((i) => shown.add(i));
    const hitRanks = ranked.flatMap((i, r) => (rel.has(i) ? [r + 1] : []));
    let dcg = 0;
    for (const r of hitRanks) dcg += 1 / Math.log2(1 + r);
    let idcg = 0;
    for (let r = 1; r <= Math.min(rel.size, K); r++) idcg += 1 / Math.log2(1 + r);
    sum.precision += hitRanks.length / K;
    sum.recall += hitRanks.length / rel.size;
    sum.ndcg += dcg / idcg;
    sum.map += hitRanks.reduce((s, r, j) => s + (j + 1) / r, 0) / rel.size;
  }
  const n = relevant.size;
  return { users: n, precision: sum.precision / n, recall: sum.recall / n, ndcg: sum.ndcg / n, map: sum.map / n, coverage: shown.size / firstSeen.size };
}

describe('retain train recommender', () => {
  let expected: Metrics;

  beforeAll(async () => {
    delete process.env.DATABASE_URL;
    process.env.PGLITE_DIR = join(dir, 'db');
    process.env.MODELS_DIR = modelsDir;
    process.env.LOG_LEVEL = 'silent';
    await writeOnlineRetailSlice(slice);
    expect((await retain('import', 'purchases', slice, '--format', 'online-retail')).code).toBe(0);
    expected = await popularityHoldout(Date.parse(`${CUTOFF}T00:00:00Z`));
  }, 120_000);

  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains on the database and prints a manifest whose holdout metrics match a recomputation from the stored purchases', async () => {
    const { code, out } = await retain('train', 'recommender', '--model', 'popularity', '--cutoff', CUTOFF, '--json');
    expect(code).toBe(0);
    const manifest = JSON.parse(out);
    expect(await currentVersion(modelsDir, 'recommender')).toBe(manifest.version);
    expect(manifest.params.model).toEqual({ algorithm: 'popularity', windowDays: null });
    const test = manifest.metrics.test;
    expect(test.cutoff).toBe(`${CUTOFF}T00:00:00.000Z`);
    expect(test.k).toBe(K);
    expect(expected.users).toBeGreaterThan(10);
    expect(expected.precision).toBeGreaterThan(0);
    expect(test.users).toBe(expected.users);
    for (const m of ['precision', 'recall', 'ndcg', 'map', 'coverage'] as const) expect(test[m], m).toBeCloseTo(expected[m], 10);
  }, 120_000);

  it('prints the same metrics as a line of text, and reads a purchase file with --file', async () => {
    const { code, out } = await retain('train', 'recommender', '--file', slice, '--format', 'online-retail', '--model', 'popularity', '--cutoff', CUTOFF);
    expect(code).toBe(0);
    const version = await currentVersion(modelsDir, 'recommender');
    expect(out.split('\n')[0]).toBe(`recommender ${version} (popularity) saved and active`);
    const line = out.split('\n')[1]!;
    expect(line).toContain(`holdout from ${CUTOFF}: ${expected.users} customers`);
    expect(line).toContain(`precision@10 ${expected.precision.toFixed(5)}`);
    expect(line).toContain(`recall@10 ${expected.recall.toFixed(5)}`);
    expect(line).toContain(`ndcg@10 ${expected.ndcg.toFixed(5)}`);
  }, 120_000);

  it('refuses bad flags before touching the database', async () => {
    await expect(retain('train', 'recommender', '--model', 'svd')).rejects.toThrow(/--model must be ease, als, knn, rp3beta, popularity or auto, got 'svd'/);
    await expect(retain('train', 'recommender', '--cutoff', 'soon')).rejects.toThrow(/--cutoff 'soon' is not a date/);
    await expect(retain('train', 'recommender', '--format', 'xml')).rejects.toThrow(/--format must be one of canonical, online-retail, got 'xml'/);
  });
});
