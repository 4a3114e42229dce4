// `retain serve`: the HTTP service over an existing database and trained models (no seeding, no
// training). Shares its start-up with `retain start`, which seeds and trains first.
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { createApp } from '../../api/app.ts';
import { checkBinding, isLoopback, listen } from '../../api/server.ts';
import { ConfigError, loadConfig, type Config } from '../../config.ts';
import { openMigratedDatabase, SERVICE_TIMEOUTS, type Database } from '../../db/client.ts';
import { startScoreSchedule, type ScoreSchedule } from '../../jobs/score-schedule.ts';
import { startTensorflow } from '../../jobs/tensorflow.ts';
import { createLogger, type Logger } from '../../logger.ts';
import { ServiceRuntime } from '../../services/runtime.ts';
import { number, port as portFlag } from '../flags.ts';
import { terminalProgress } from '../job-progress.ts';
import { superviseWorkers } from '../serve-workers.ts';

const HELP = `usage: retain serve [--port N] [--host ADDR] [--workers N]

Serves the HTTP API (docs at /docs, OpenAPI at /openapi.json) over the database (DATABASE_URL,
else PGlite in PGLITE_DIR) and the models in MODELS_DIR. Without an active API key it only listens
on 127.0.0.1; on any other address it refuses to start until a key exists (retain keys create).
SIGTERM / SIGINT: stop accepting, finish in-flight requests, exit. With SCORE_EVERY (e.g. 24h)
every customer is re-scored as of now that often, by one replica at a time.

  --port N      default PORT (8080)
  --host ADDR   default HOST (127.0.0.1)
  --poll-ms N   replica sync interval (default 2000)
  --workers N   processes serving the port, each a replica with its own DATABASE_POOL
                connections (default WORKERS, 1); more than 1 needs PostgreSQL
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, port: { type: 'string' }, host: { type: 'string' }, 'poll-ms': { type: 'string', default: '2000' }, workers: { type: 'string' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const listenOn = serveOptions(config, values);
  const workers = values.workers === undefined ? config.WORKERS : number('--workers', values.workers, { integer: true });
  if (workers > 1 && !config.DATABASE_URL) {
    throw new ConfigError(`--workers ${workers} needs PostgreSQL (DATABASE_URL): the embedded PGlite database belongs to one process`);
  }
  if (workers > 1 && cluster.isPrimary) {
    // migrated once here, before the workers open it: two migrating one database at once collide
    await (await openMigratedDatabase(config)).close();
    return superviseWorkers(workers, logger);
  }
  if (cluster.isWorker) {
    // the primary decides when to stop (it forwards SIGTERM); a second signal must not cut the graceful stop short
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => {});
  }
  const database = await openMigratedDatabase(config, SERVICE_TIMEOUTS);
  const code = await serveDatabase(database, config, logger, listenOn);
  cluster.worker?.disconnect();
  return code;
}

export interface ServeOptions {
  port: number;
  host: string;
  /** Replica sync interval. */
  pollMs: number;
}

/** The --port, --host and --poll-ms flags over PORT, HOST and 2000 ms. */
export function serveOptions(config: Config, flags: { port?: string | undefined; host?: string | undefined; 'poll-ms'?: string | undefined }): ServeOptions {
  return {
    port: flags.port === undefined ? config.PORT : portFlag(flags.port),
    host: flags.host ?? config.HOST,
    pollMs: number('--poll-ms', flags['poll-ms'] ?? '2000', { integer: true, zero: true }),
  };
}

/** Runs the service until SIGTERM/SIGINT; owns `database` (closes it on exit). */
export async function serveDatabase(database: Database, config: Config, logger: Logger, { port, host, pollMs }: ServeOptions): Promise<number> {
  const runtime = new ServiceRuntime({ database, modelsDir: config.MODELS_DIR, logger, pollMs, attributionDays: config.ATTRIBUTION_DAYS });
  try {
    await startTensorflow(terminalProgress(logger));
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
  const schedule: ScoreSchedule | undefined =
    config.SCORE_EVERY === undefined
      ? undefined
      : startScoreSchedule(database, { everyMs: config.SCORE_EVERY, modelsDir: config.MODELS_DIR, onScored: () => runtime.liveScores.refresh(database.db) }, terminalProgress(logger));
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
  await schedule?.stop();
  runtime.stop();
  await runtime.flushServed();
  await database.close();
  logger.info('stopped');
  return 0;
}
