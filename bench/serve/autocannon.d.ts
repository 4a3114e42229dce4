// The part of autocannon's programmatic API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  interface Histogram {
    average: number;
    mean: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
  }
  interface RawRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    /** An unmeasured run before the measured one. */
    warmup?: { connections?: number; duration?: number };
    title?: string;
    requests?: { setupRequest?: (req: RawRequest) => RawRequest; method?: string; path?: string; body?: string; headers?: Record<string, string> }[];
  }
  export interface Result {
    title?: string;
    requests: Histogram & { total: number };
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
