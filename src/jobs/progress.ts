// How a batch job reports what it is doing: one small interface, so the same job draws terminal
// bars under the CLI (src/cli/job-progress.ts), stays quiet in a library call and is recorded in tests.

export interface JobProgress {
  /** A new stage of the job begins (the previous one ends); `total` and `unit` when the amount of work is known. */
  stage(label: string, size?: { total?: number; unit?: string }): void;
  /** Work done so far in the current stage, with its total when that is only known now. */
  update(done: number, total?: number): void;
  /** The current stage is over. */
  finish(): void;
  /** A fact worth a log line: a choice made, a trial, a result. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Something the user should act on or know was left out. */
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Reports nothing: for library callers, benchmarks and scripts that print their own lines. */
export const silentProgress: JobProgress = {
  stage() {},
  update() {},
  finish() {},
  info() {},
  warn() {},
};
