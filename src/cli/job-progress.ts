// JobProgress for a command line: each stage is a log line and, once it reports work done, a bar
// on a terminal (plain progress lines elsewhere, src/progress.ts); facts and warnings are log lines.
import type { JobProgress } from '../jobs/progress.ts';
import type { Logger } from '../logger.ts';
import { createProgress, type Progress } from '../progress.ts';

export function terminalProgress(logger: Logger): JobProgress {
  let label = '';
  let size: { total?: number; unit?: string } = {};
  let bar: Progress | undefined;
  const end = () => {
    bar?.finish();
    bar = undefined;
  };
  return {
    stage(next, nextSize = {}) {
      end();
      label = next;
      size = nextSize;
      logger.info(next);
    },
    update(done, total) {
      bar ??= createProgress({ label, ...size, ...(total === undefined ? {} : { total }) });
      bar.update(done);
    },
    finish: end,
    info: (message, fields) => (fields ? logger.info(fields, message) : logger.info(message)),
    warn: (message, fields) => (fields ? logger.warn(fields, message) : logger.warn(message)),
  };
}
