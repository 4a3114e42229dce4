// Top-k lists of many customers on every thread: each thread runs a kernel over a contiguous share
// of the customers and writes their lists into one shared TopLists, read back here. The kernel's
// other arguments must be on shared memory (or small: they are copied to each worker).
import { runParallel, shared, splitRange, type Kernel } from '../numeric/threads.ts';
import type { TopLists } from './family.ts';
import type { Csr } from './sparse.ts';
import { topRow, type ScoredItem } from './top-n.ts';

/** What each thread's share of a parallelTopLists call receives besides the kernel's own arguments. */
export interface TopShare {
  /** The training purchases (rows and columns of the history), left out of the lists. */
  rowPtr: Int32Array;
  colIdx: Int32Array;
  users: Int32Array;
  /** The share: users[from, to), whose lists go to rows [from, to) of `lists`. */
  from: number;
  to: number;
  lists: TopLists;
}

/** The top-k lists of `users` without their purchases in `history`, by `kernel` on `threads` threads (1: the calling thread alone). */
export function parallelTopLists<A extends object>(kernel: Kernel<A & TopShare>, args: A, history: Csr, users: Int32Array, k: number, threads: number): ScoredItem[][] {
  const share = <T extends Int32Array | Float32Array>(values: T): T => (threads > 1 ? shared(values) : values);
  const lists = { perRow: k, items: share(new Int32Array(users.length * k)), scores: share(new Float32Array(users.length * k)) };
  const bounds = splitRange(users.length, threads);
  const common = { rowPtr: share(history.rowPtr), colIdx: share(history.colIdx), users: share(users), lists };
  runParallel(kernel, Array.from({ length: threads }, (_, t) => ({ ...args, ...common, from: bounds[t]!, to: bounds[t + 1]! })));
  return Array.from(users, (_, j) => topRow(lists, j));
}
