// A JobProgress that remembers what a job reported, for tests to assert on.
import type { JobProgress } from '../../src/jobs/progress.ts';

export interface RecordedStage {
  label: string;
  total?: number;
  unit?: string;
  /** Every `update(done)` of the stage, in order. */
  updates: number[];
}

export interface RecordingProgress extends JobProgress {
  stages: RecordedStage[];
  infos: { message: string; fields?: Record<string, unknown> }[];
  warnings: string[];
}

export function recordingProgress(): RecordingProgress {
  const stages: RecordedStage[] = [];
  const infos: RecordingProgress['infos'] = [];
  const warnings: string[] = [];
  return {
    stages,
    infos,
    warnings,
    stage: (label, size = {}) => void stages.push({ label, ...size, updates: [] }),
    update(done, total) {
      const current = stages.at(-1);
      if (!current) throw new Error(`update(${done}) before any stage`);
      if (total !== undefined) current.total = total;
      current.updates.push(done);
    },
    finish() {},
    info: (message, fields) => void infos.push({ message, ...(fields ? { fields } : {}) }),
    warn: (message) => void warnings.push(message),
  };
}
