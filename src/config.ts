// Environment parsed once with zod; everything else imports the typed config.
import { z } from 'zod';

const Env = z.object({
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().default('data/pglite'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  MODELS_DIR: z.string().default('models'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SAMPLE_DATA_DIR: z.string().default('data/online-retail'),
  /** Days served recommendation lists are kept for attribution; 0 records none. */
  ATTRIBUTION_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
});

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
