// `retain db migrate`: applies pending migrations to DATABASE_URL, or to the embedded PGlite database.
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { openMigratedDatabase } from '../../db/client.ts';
import { createLogger } from '../../logger.ts';

const HELP = `usage: retain db migrate

Applies the pending schema migrations to the database in DATABASE_URL (PostgreSQL), or, when it is
unset, to the embedded PGlite database in PGLITE_DIR (default data/pglite).
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig();
  const database = await openMigratedDatabase(config);
  try {
    createLogger(config.LOG_LEVEL).info({ engine: database.engine }, 'database schema is up to date');
    return 0;
  } finally {
    await database.close();
  }
}
