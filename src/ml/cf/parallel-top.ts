// Top-k lists of many customers on every thread: each thread runs a kernel over a contiguous share
// of the customers and writes their lists into one shared TopLists, read back here. The kernel's
// other arguments must be on shared memory (or small: they are copied to each worker).
import { runParallel, shared, splitRange, type Kernel } from '../numeric/threads.ts';
import type { TopLists } from './family.ts';
import { topRow, type ScoredItem } from './top-n.ts';

/** What each thread's share of a parallelTopLists call receives besides the kernel's own arguments. */
export interface TopShare {
  users: Int32Array;
  /** The share: users[from, to), whose lists go to rows [from, to) of `lists`. */
  from: number;
  to: number;
  lists: TopLists;
}

/** The top-k lists of `users`, by `kernel` on `threads` threads (1: the calling thread alone). */
export function parallelTopLists<A extends object>(kernel: Kernel<A & TopShare>, args: A, users: Int32Array, k: number, threads: number): ScoredItem[][] {
  const share = <T extends Int32Array | Float32Array>(values: T): T => (threads > 1 ? shared(values) : values);
  const lists = { perRow: k, items: share(new Int32Array(users.length * k)), scores: share(new Float32Array(users.length * k)) };
  const bounds = splitRange(users.length, threads);
  const onThread = share(users);
  runParallel(kernel, Array.from({ length: threads }, (_, t) => ({ ...args, users: onThread, from: bounds[t]!, to: bounds[t + 1]!, lists })));
  return Array.from(users, (_, j) => topRow(lists, j));
}
