// The `retain` command line: `retain <command> [subcommand] [options]`.
// Commands load lazily so `retain import ...` never pays for TensorFlow.js start-up.
import { ConfigError } from '../config.ts';
import { DomainError } from '../errors.ts';

export interface CommandModule {
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
}

const commands: Record<string, CommandEntry> = {
  'train recommender': { summary: 'select, train and save the recommender (holdout metrics in the manifest)', load: () => import('./commands/train-recommender.ts') },
  evaluate: { summary: 'offline evaluation of a recommender on a time split or train/test files', load: () => import('./commands/evaluate.ts') },
  'db migrate': { summary: 'apply pending database migrations', load: () => import('./commands/db.ts') },
  import: { summary: 'import purchases|items|customers FILE (CSV or CSV.gz)', load: () => import('./commands/import.ts') },
  'clv fit': { summary: 'fit BG/NBD and Gamma-Gamma to your own customer summary or transactions', load: () => import('./commands/clv.ts') },
  'train churn': { summary: 'train the churn classifier, print its backtest, save it; --score writes customer scores', load: () => import('./commands/train-churn.ts') },
  'score churn': { summary: 'score every customer with the active churn model and replace customer_scores', load: () => import('./commands/score-churn.ts') },
  start: { summary: 'first run: embedded database, bundled sample, models trained if missing, then serve', load: () => import('./commands/start.ts') },
  serve: { summary: 'serve the HTTP API over the existing database and models (no seeding or training)', load: () => import('./commands/serve.ts') },
  keys: { summary: 'API keys: create NAME --scopes read,write,admin | list | revoke NAME|PREFIX', load: () => import('./commands/keys.ts') },
};

export async function main(argv: string[]): Promise<number> {
  const names = Object.keys(commands).sort((a, b) => b.split(' ').length - a.split(' ').length);
  const name = names.find((n) => n.split(' ').every((word, i) => argv[i] === word));
  if (!name || argv[0] === '--help' || argv[0] === '-h') {
    printHelp(name === undefined && argv.length > 0 && !argv[0]?.startsWith('-') ? argv.join(' ') : undefined);
    return name || argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' ? 0 : 2;
  }
  const entry = commands[name]!;
  const module = await entry.load();
  return module.run(argv.slice(name.split(' ').length));
}

function printHelp(unknown?: string): void {
  const out = unknown ? process.stderr : process.stdout;
  if (unknown) out.write(`retain: unknown command '${unknown}'\n\n`);
  out.write('usage: retain <command> [options]   (retain <command> --help for its options)\n\ncommands:\n');
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  for (const [name, entry] of Object.entries(commands)) out.write(`  ${name.padEnd(width)}  ${entry.summary}\n`);
}

/** Runs `main` and turns every error into a one-line message and exit code 1 (no stack for known errors). */
export async function runCli(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DomainError) process.stderr.write(`retain: ${err.message}\n`);
    else process.stderr.write(`retain: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await runCli(process.argv.slice(2));
