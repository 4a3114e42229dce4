// Environment parsed once with zod; everything else imports the typed config.
import { z } from 'zod';

const Env = z.object({
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().default('data/pglite'),
  /** PostgreSQL connections the service keeps open (per worker with `retain serve --workers`). */
  DATABASE_POOL: z.coerce.number().int().min(1).max(100).default(10),
  /** `retain serve`'s processes on one port, each a replica (PostgreSQL only when more than 1). */
  WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  MODELS_DIR: z.string().default('models'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SAMPLE_DATA_DIR: z.string().default('data/online-retail'),
  /** Days served recommendation lists are kept for attribution; 0 records none. */
  ATTRIBUTION_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
  /**
   * `retain serve` re-scores every customer as of now this often (e.g. 24h, 90m; units ms, s, m,
   * h, d), one replica at a time; unset (the default, right for the historical sample): never.
   */
  SCORE_EVERY: z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, 'a whole number with a unit: ms, s, m, h or d (e.g. 24h)')
    .transform(durationMs)
    .refine((ms) => ms >= 1000, 'at least 1s')
    .optional(),
});

function durationMs(s: string): number {
  const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(s)!;
  return Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'ms' | 's' | 'm' | 'h' | 'd'];
}

export type Config = z.infer<typeof Env>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses `env` (process.env by default); throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(emptyAsUnset(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

function emptyAsUnset(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}
