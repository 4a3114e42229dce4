// Text the database cannot store, found in any validated request part. PostgreSQL's text and jsonb
// refuse NUL (U+0000) and the failed statement would surface as a 500; a lone UTF-16 surrogate
// has no UTF-8 form and would be stored silently changed (as U+FFFD); JSON nested without bound
// overflows the stack of JSON.stringify on its way to a jsonb column. validationHook runs this over
// every route's parsed params, query and body, so no route checks it on its own.

/** Deepest JSON accepted anywhere in a request (objects and arrays). */
export const MAX_DEPTH = 32;

export interface UnstorableValue {
  /** Dotted path inside the request part, '' for the part itself. */
  path: string;
  message: string;
}

/** Unicode mode reads a surrogate pair as one code point, so only lone surrogates match \p{Cs}. */
const UNSTORABLE_CHAR = /[\0\p{Cs}]/u;

function textProblem(s: string): string | undefined {
  if (!UNSTORABLE_CHAR.test(s)) return undefined;
  if (s.includes('\0')) return 'contains a NUL character (U+0000), which cannot be stored';
  return 'is not valid Unicode (a lone surrogate), which cannot be stored';
}

const under = (key: string, bad: UnstorableValue): UnstorableValue => ({ path: bad.path === '' ? key : `${key}.${bad.path}`, message: bad.message });

/**
 * The first string, object key or nesting level in `value` the database cannot store, if any.
 * Recursion stops at MAX_DEPTH, so input nested deeper than the call stack allows is safe. It runs
 * on every request of the hot routes: no allocation unless something is found.
 */
export function findUnstorable(value: unknown): UnstorableValue | undefined {
  return find(value, 0);
}

function find(value: unknown, depth: number): UnstorableValue | undefined {
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message ? { path: '', message } : undefined;
  }
  if (typeof value !== 'object' || value === null || value instanceof Date) return undefined;
  if (depth >= MAX_DEPTH) return { path: '', message: `is nested deeper than ${MAX_DEPTH} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = find(value[i], depth + 1);
      if (bad) return under(String(i), bad);
    }
    return undefined;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const keyMessage = textProblem(key);
    if (keyMessage) return { path: '', message: `has a key that ${keyMessage}` };
    const bad = find((value as Record<string, unknown>)[key], depth + 1);
    if (bad) return under(key, bad);
  }
  return undefined;
}
