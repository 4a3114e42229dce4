// `retain serve`: the HTTP service over an existing database and trained models (no seeding, no
// training). Shares its start-up with `retain start`, which seeds and trains first.
import { parseArgs } from 'node:util';
import { createApp } from '../../api/app.ts';
import { checkBinding, isLoopback, listen } from '../../api/server.ts';
import { loadConfig, type Config } from '../../config.ts';
import { migrate, openDatabase, type Database } from '../../db/client.ts';
import { ValidationError } from '../../errors.ts';
import { createLogger, type Logger } from '../../logger.ts';
import { initTf } from '../../ml/numeric/tf.ts';
import { ServiceRuntime } from '../../services/runtime.ts';

const HELP = `usage: retain serve [--port N] [--host ADDR]

Serves the HTTP API (docs at /docs, OpenAPI at /openapi.json) over the database (DATABASE_URL,
else PGlite in PGLITE_DIR) and the models in MODELS_DIR. Without an active API key it only listens
on 127.0.0.1; on any other address it refuses to start until a key exists (retain keys create).
SIGTERM / SIGINT: stop accepting, finish in-flight requests, exit.

  --port N      default PORT (8080)
  --host ADDR   default HOST (127.0.0.1)
  --poll-ms N   replica sync interval (default 2000)
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, port: { type: 'string' }, host: { type: 'string' }, 'poll-ms': { type: 'string', default: '2000' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR });
  try {
    await migrate(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  return serveDatabase(database, config, logger, { port: values.port, host: values.host, pollMs: values['poll-ms'] });
}

/** Runs the service until SIGTERM/SIGINT; owns `database` (closes it on exit). */
export async function serveDatabase(database: Database, config: Config, logger: Logger, flags: { port?: string | undefined; host?: string | undefined; pollMs?: string | undefined } = {}): Promise<number> {
  const port = flags.port === undefined ? config.PORT : Number(flags.port);
  const host = flags.host ?? config.HOST;
  const pollMs = Number(flags.pollMs ?? 2000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ValidationError(`--port must be 0–65535, got '${flags.port}'`);
  if (!Number.isInteger(pollMs) || pollMs < 0) throw new ValidationError(`--poll-ms must be a whole number ≥ 0, got '${flags.pollMs}'`);
  logger.info({ backend: await initTf() }, 'tensorflow.js backend');
  const runtime = new ServiceRuntime({ database, modelsDir: config.MODELS_DIR, logger, pollMs });
  try {
    await runtime.start();
    checkBinding(host, runtime.keys.size);
  } catch (err) {
    runtime.stop();
    await database.close();
    throw err;
  }
  if (!runtime.modelLoaded) logger.warn({ modelsDir: config.MODELS_DIR }, 'no recommender model yet: recommendation endpoints answer 503 until one is trained');
  const app = createApp({ runtime, logger, alwaysRequireKey: !isLoopback(host) });
  const server = await listen(app, { port, host, logger });
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
  if (runtime.keys.size === 0) logger.warn(`no API key configured: listening on ${host} only, without authentication (create one with: retain keys create NAME --scopes read,write,admin)`);
  logger.info({ url, engine: database.engine, keys: runtime.keys.size, model: runtime.models.current?.manifest.version ?? null }, `retain listening on ${url} (docs: ${url}/docs)`);

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: finishing in-flight requests');
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve();
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  await server.close();
  runtime.stop();
  await database.close();
  logger.info('stopped');
  return 0;
}
