// Structured logs (pino) to stderr, so command output on stdout stays machine-readable. The level
// comes from the parsed config (`createLogger(config.LOG_LEVEL)`): nothing here reads the environment.
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

export function createLogger(level: Config['LOG_LEVEL']): Logger {
  return pino({ level, base: undefined }, pino.destination(2));
}
