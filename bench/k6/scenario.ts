// What the k6 scripts share: one constant-VUs scenario per exported function, run one after another.
import type { Options } from 'k6/options';

type Scenarios = NonNullable<Options['scenarios']>;

/** `exec` run by `vus` virtual users for `seconds`, starting after the `index` scenarios before it (2 s apart). */
export function scenario(exec: string, index: number, vus: number, seconds: number): Scenarios[string] {
  return {
    executor: 'constant-vus',
    exec,
    vus,
    duration: `${seconds}s`,
    startTime: `${index * (seconds + 2)}s`,
    tags: { scenario: exec },
  };
}
