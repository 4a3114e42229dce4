// CPU seconds of a PostgreSQL server's processes for one database, read from Linux's /proc: the
// benchmarks' way of saying what the database spent on their work (it runs on the same cores).
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds used so far by the server processes connected to `database` (clock ticks of 1/100 s).
 * Read while the connections are open: a backend's time goes with it when it ends.
 */
export function backendCpuSeconds(database: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(database)) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return ticks / 100;
}
