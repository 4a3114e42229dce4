// The layering rules of README's Layout section, checked on every run: a rule that is only written
// down is broken by the first hurried import.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, root, sourceFiles, type Import } from './helpers/imports.ts';

const src = join(root, 'src');

const all = sourceFiles(src).flatMap(importsOf);
const within = (prefix: string) => all.filter((i) => i.file.startsWith(prefix));
const show = (list: Import[]) => list.map((i) => `${i.file} -> ${i.target}`);

describe('layers', () => {
  it('finds the imports it checks', () => {
    // guards the checks below against a pattern that silently matches nothing
    expect(within('src/api/').some((i) => i.target.startsWith('src/services/'))).toBe(true);
    expect(within('src/ml/').some((i) => i.target === 'src/errors.ts')).toBe(true);
    expect(within('src/cli/').some((i) => i.target.startsWith('src/ml/') && i.typeOnly)).toBe(true);
  });

  it('src/ml imports nothing outside src/ml but errors.ts, and no node:fs', () => {
    const bad = within('src/ml/').filter((i) => (i.target.startsWith('src/') && !i.target.startsWith('src/ml/') && i.target !== 'src/errors.ts') || i.target.startsWith('node:fs') || i.target === 'fs');
    expect(show(bad)).toEqual([]);
  });

  it('src/api imports nothing from src/db', () => {
    expect(show(within('src/api/').filter((i) => i.target.startsWith('src/db/')))).toEqual([]);
  });

  it('routes import no sibling route', () => {
    expect(show(within('src/api/routes/').filter((i) => i.target.startsWith('src/api/routes/')))).toEqual([]);
  });

  it('src/cli imports only types from src/ml', () => {
    expect(show(within('src/cli/').filter((i) => i.target.startsWith('src/ml/') && !i.typeOnly))).toEqual([]);
  });

  it('nothing in src imports training/ or bench/', () => {
    expect(show(all.filter((i) => i.target.startsWith('training/') || i.target.startsWith('bench/')))).toEqual([]);
  });
});
