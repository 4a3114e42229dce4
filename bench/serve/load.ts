// The load generator of the serving benchmark, as its own lean process: autocannon and nothing
// else, so its latency clock is not stalled by the benchmark's own heap (the generated model's id
// lists and arrays). run.ts starts one per scenario and reads the result as JSON on stdout.
//
//   node --import tsx bench/serve/load.ts SPEC.json
//
// SPEC: { url, connections, duration, warmup, title, path, ids?, seed } — `path` may hold `{id}`,
// replaced on every request by an id drawn from `ids` with a seeded generator (xorshift32). The
// first `warmup` seconds (same connections and paths) are not measured: they open the connections
// and let V8 compile the server's hot path, which a long-running server has done long before.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  connections: number;
  duration: number;
  warmup: number;
  title: string;
  path: string;
  ids?: string[];
  seed: number;
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
const ids = spec.ids ?? [];
const [before, after] = spec.path.split('{id}') as [string, string | undefined];
let state = spec.seed | 0 || 1;
const nextPath =
  after === undefined
    ? () => before
    : () => {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return before + ids[(state >>> 0) % ids.length]! + after;
      };
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.duration,
  warmup: { connections: spec.connections, duration: spec.warmup },
  title: spec.title,
  requests: [{ setupRequest: (req) => ({ ...req, path: nextPath() }) }],
});
process.stdout.write(JSON.stringify(result));
