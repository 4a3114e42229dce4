// The one place TensorFlow.js starts: jobs that fit or score models, and the service, await this;
// the backend in use is reported once per process.
import { initTf, type TfBackend } from '../ml/numeric/tf.ts';
import type { JobProgress } from './progress.ts';

let started: Promise<TfBackend> | undefined;

/** Initialises the fastest backend that loads here; the first caller's `progress` hears its name. */
export function startTensorflow(progress: Pick<JobProgress, 'info'>): Promise<TfBackend> {
  started ??= initTf().then((backend) => {
    progress.info('tensorflow.js backend', { backend });
    return backend;
  });
  return started;
}
