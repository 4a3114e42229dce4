// Both cores for the heavy fits, behind synchronous calls. tfjs-wasm runs one thread in Node (its
// threaded build is switched off there, tensorflow/tfjs#3830), so the fits split their work
// themselves: a kernel runs on the calling thread for one share and on persistent worker threads
// for the others, all reading and writing the same SharedArrayBuffer memory, while the caller
// blocks in Atomics.wait until every share is done (fitEase and fitAls stay synchronous).
//
// This is the one module of src/ml that touches threads and the machine's core count: the rest of
// src/ml stays pure and only names kernels. Workers are started on the first parallel call (a
// serving process that fits nothing never starts one), are unref'd (they never keep a process
// alive) and live for the rest of the process, so later fits pay no start-up.
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { tf } from './tf.ts';

/**
 * A function that one thread runs on its share of a job. `module` is the URL of the module that
 * exports the kernel under `name` (workers import it from there); the arguments must survive
 * structured cloning: numbers, plain objects and typed arrays, the big ones on SharedArrayBuffers.
 */
export interface Kernel<A> {
  readonly module: string;
  readonly name: string;
  readonly run: (args: A) => void;
}

/** Declares a kernel; export the result as `name` from the module at `module` (its import.meta.url). */
export function defineKernel<A>(module: string, name: string, run: (args: A) => void): Kernel<A> {
  return { module, name, run };
}

let configured: number | undefined;

/** Threads the fits use: all cores unless set; 1 runs everything on the calling thread. */
export function threadCount(): number {
  return configured ?? availableParallelism();
}

/** Sets the thread count (undefined restores the default, all cores). */
export function setThreadCount(threads: number | undefined): void {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`thread count must be a positive integer, got ${threads}`);
  configured = threads;
}

/** A typed array of `length` elements on shared memory, zero-filled: a spare buffer of its size when there is one. */
export function sharedFloat32(length: number): Float32Array {
  const spare = spares.get(length * 4)?.pop();
  if (!spare) return new Float32Array(new SharedArrayBuffer(length * 4));
  spareSet.delete(spare);
  return new Float32Array(spare).fill(0);
}

// Spare shared buffers by byte length, kept only inside withSpares. Model selection fits and drops
// models of the same shapes over and over (an EASE B of 0.4-0.6 GB per candidate on a 14,000-item
// catalog); a dropped shared buffer is freed only once every thread that saw it has collected its
// handle, and each new one is paid in page faults as the kernel zeroes its pages (2.5 million, 30 s
// of system time, in one `evaluate` of the wide catalog: bench/recommender/README.md). Handed back,
// the next buffer of that size is the same memory.
const spares = new Map<number, SharedArrayBuffer[]>();
const spareSet = new WeakSet<SharedArrayBuffer>();
let scopes = 0;

/** Runs `work` with recycling on: what it hands back (recycleShared) serves its later allocations, and is let go when it ends. */
export function withSpares<T>(work: () => T): T {
  scopes++;
  try {
    return work();
  } finally {
    if (--scopes === 0) spares.clear();
  }
}

/**
 * Inside withSpares, hands the shared memory of `arrays` back for the next sharedFloat32 of the
 * same size (outside, does nothing). The caller promises that nothing reads or writes them again;
 * arrays not on shared memory, views of part of a buffer and buffers already handed back are passed over.
 */
export function recycleShared(arrays: Iterable<Float32Array>): void {
  if (scopes === 0) return;
  for (const a of arrays) {
    const buffer = a.buffer;
    if (!(buffer instanceof SharedArrayBuffer) || a.byteOffset !== 0 || a.byteLength !== buffer.byteLength || spareSet.has(buffer)) continue;
    spareSet.add(buffer);
    const list = spares.get(buffer.byteLength);
    if (list) list.push(buffer);
    else spares.set(buffer.byteLength, [buffer]);
  }
}

/** The same values on shared memory (returned as is when already shared). */
export function shared<T extends Float32Array | Int32Array>(values: T): T {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const copy = new (values.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(values.byteLength));
  copy.set(values);
  return copy;
}

/**
 * Cuts [0, n) into `parts` contiguous ranges of about equal cost, where `cost(i)` is the cost of
 * item i (default 1). Returns parts + 1 boundaries; ranges may be empty.
 */
export function splitRange(n: number, parts: number, cost?: (i: number) => number): Int32Array {
  const bounds = new Int32Array(parts + 1);
  bounds[parts] = n;
  if (!cost) {
    for (let p = 1; p < parts; p++) bounds[p] = Math.round((n * p) / parts);
    return bounds;
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += cost(i);
  let acc = 0;
  let p = 1;
  for (let i = 0; i < n && p < parts; i++) {
    acc += cost(i);
    while (p < parts && acc >= (total * p) / parts) bounds[p++] = i + 1;
  }
  for (; p < parts; p++) bounds[p] = n;
  return bounds;
}

/**
 * Runs `kernel` once per share, share 0 on the calling thread and the others on workers, and
 * returns when all are done. An error in any share is rethrown after every share has stopped.
 */
export function runParallel<A>(kernel: Kernel<A>, shares: readonly A[]): void {
  const workers = pool(shares.length - 1);
  let failure: unknown;
  let posted = 0;
  try {
    for (; posted < shares.length - 1; posted++) workers[posted]!.post(kernel, shares[posted + 1]);
    if (shares.length > 0) kernel.run(shares[0]!);
  } catch (error) {
    failure = error;
  }
  for (let w = 0; w < posted; w++) {
    const error = workers[w]!.wait();
    failure ??= error;
  }
  if (failure !== undefined) throw failure;
}

const START_TIMEOUT_MS = 120_000;
const workers: PoolWorker[] = [];

/**
 * Starts the workers that `threads` threads need (default: threadCount()) without waiting for
 * them, so their start-up (~1-2 s: tsx and a tfjs backend each) overlaps the caller's own work.
 */
export function prepareThreads(threads = threadCount()): void {
  pool(threads - 1);
}

function pool(size: number): PoolWorker[] {
  while (workers.length < size) workers.push(startWorker());
  return workers;
}

interface PoolWorker {
  post(kernel: { module: string; name: string }, args: unknown): void;
  /** Blocks until the posted job is done; returns its error, if any. */
  wait(): Error | undefined;
}

interface Reply {
  error?: { message: string; stack?: string };
}

function startWorker(): PoolWorker {
  // done[0]: 0 while a job (or start-up) runs, 1 when it has finished and replied on the port
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./thread-worker.mjs', import.meta.url), {
    // the bootstrap registers tsx itself: inheriting the parent's loader flags would load it twice
    execArgv: [],
    workerData: { done, port: port2, backend: tf.getBackend() },
    transferList: [port2],
  });
  worker.unref();
  port1.unref();
  let started = false;
  return {
    post(kernel, args) {
      if (!started) {
        const error = awaitReply(done, port1, START_TIMEOUT_MS);
        if (error) throw error;
        started = true;
      }
      Atomics.store(done, 0, 0);
      worker.postMessage({ module: kernel.module, name: kernel.name, args });
    },
    wait: () => awaitReply(done, port1, Infinity),
  };
}

function awaitReply(done: Int32Array, port: MessagePort, timeoutMs: number): Error | undefined {
  const deadline = performance.now() + timeoutMs;
  while (Atomics.load(done, 0) === 0) {
    const left = deadline - performance.now();
    if (left <= 0) return new Error(`a worker thread did not start within ${timeoutMs / 1000} s`);
    Atomics.wait(done, 0, 0, Math.min(left, 1000));
  }
  const reply = receiveMessageOnPort(port)?.message as Reply | undefined;
  if (!reply?.error) return undefined;
  const error = new Error(`in a worker thread: ${reply.error.message}`);
  if (reply.error.stack) error.stack = `${error.message}\n${reply.error.stack}`;
  return error;
}
