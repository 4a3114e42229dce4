// The imports of src files as written (static and dynamic), for the tests that check which modules
// may reach which: test/layers.test.ts, test/cli/commands/serve-imports.test.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = resolve(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') || path.endsWith('.tsx') ? [path] : [];
  });
}

export interface Import {
  file: string;
  target: string;
  typeOnly: boolean;
  /** `import('…')`: loaded when that code runs, not with the file. */
  dynamic: boolean;
}

/** Every import of a file, relative targets resolved to paths under the repository root. */
export function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  const target = (spec: string) => (spec.startsWith('.') ? relative(root, resolve(dirname(file), spec)) : spec);
  const pattern = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(pattern)) out.push({ file: relative(root, file), target: target(m[3]!), typeOnly: Boolean(m[2]), dynamic: false });
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ file: relative(root, file), target: target(m[1]!), typeOnly: false, dynamic: true });
  return out;
}
