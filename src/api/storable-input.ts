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

/** Unicode mode reads a surrogate pair as one code point, so only lone surrogates match. */
const LONE_SURROGATE = /\p{Cs}/u;

function textProblem(s: string): string | undefined {
  if (s.includes('\0')) return 'contains a NUL character (U+0000), which cannot be stored';
  if (LONE_SURROGATE.test(s)) return 'is not valid Unicode (a lone surrogate), which cannot be stored';
  return undefined;
}

/** The first string, object key or nesting level in `value` the database cannot store, if any. */
export function findUnstorable(value: unknown): UnstorableValue | undefined {
  // iterative: the input may be nested far deeper than the call stack allows
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const message = textProblem(v);
      if (message) return { path, message };
    } else if (typeof v === 'object' && v !== null && !(v instanceof Date)) {
      if (depth >= MAX_DEPTH) return { path, message: `is nested deeper than ${MAX_DEPTH} levels` };
      const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
      for (let k = entries.length - 1; k >= 0; k--) {
        const [key, child] = entries[k]!;
        const keyMessage = textProblem(key);
        if (keyMessage) return { path, message: `has a key that ${keyMessage}` };
        stack.push({ value: child, path: join(path, key), depth: depth + 1 });
      }
    }
  }
  return undefined;
}
