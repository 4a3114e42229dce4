// What a serving process loads at start: the modules `retain serve` reaches through static imports.
// ECharts (dashboard charts), the TensorFlow.js layers API (churn training) and PGlite (the embedded
// database) are loaded when first used instead; together they cost a serving process about 90 MiB
// of RSS (bench/serve/memory.ts, bench/serve/README.md).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, root } from '../../helpers/imports.ts';

/** Every file and package reached from `entry` through value imports loaded with the file (not import()). */
function loadedWith(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const i of importsOf(join(root, file))) {
      if (i.typeOnly || i.dynamic) continue;
      if (i.target.startsWith('src/')) visit(i.target);
      else if (!packages.has(i.target)) packages.set(i.target, i.file);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('retain serve at start', () => {
  const { files, packages } = loadedWith('src/cli/commands/serve.ts');

  it('reaches the modules that use the heavy packages (so the check below can fail)', () => {
    for (const f of ['src/api/dashboard/charts.ts', 'src/ml/churn/model.ts', 'src/db/client.ts']) expect(files).toContain(f);
    expect(packages.has('@hono/zod-openapi')).toBe(true);
  });

  it('loads neither ECharts, nor the tfjs layers API, nor PGlite', () => {
    const heavy = [...packages].filter(([p]) => p.startsWith('echarts') || p === '@tensorflow/tfjs-layers' || p.startsWith('@electric-sql/pglite') || p.startsWith('drizzle-orm/pglite'));
    expect(heavy.map(([p, from]) => `${from} -> ${p}`)).toEqual([]);
  });
});
