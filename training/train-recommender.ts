// Training entry point: `npx tsx training/train-recommender.ts [flags]`, the same run as
// `retain train recommender [flags]` (--help lists them): src/cli parses the flags and calls the job
// in src/jobs/train-recommender.ts, which library callers import directly (trainRecommender).
import { runCli } from '../src/cli/main.ts';

await runCli(['train', 'recommender', ...process.argv.slice(2)]);
