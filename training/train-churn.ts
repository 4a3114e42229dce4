// Training entry point: `npx tsx training/train-churn.ts [flags]`, the same run as
// `retain train churn [flags]` (--help lists them): src/cli parses the flags and calls the job in
// src/jobs/train-churn.ts, which library callers import directly (trainChurn, formatChurnReport).
import { runCli } from '../src/cli/main.ts';

await runCli(['train', 'churn', ...process.argv.slice(2)]);
