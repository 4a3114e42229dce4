// Flag values shared by the commands: numbers, dates, one-of choices, purchase file formats, the
// recommender model flags, and the listening address. Each failure is a ValidationError naming the flag.
import { ValidationError } from '../errors.ts';
import { parseTimestamp, type PurchaseFormat } from '../import/purchase-row.ts';
import type { Weighting } from '../ml/cf/als.ts';
import type { ModelSpec } from '../ml/cf/fit.ts';
import type { ValidationChoice } from '../ml/cf/validation.ts';

export function number(flag: string, s: string, rules: { integer?: boolean; zero?: boolean } = {}): number {
  const v = Number(s);
  const ok = Number.isFinite(v) && (rules.zero ? v >= 0 : v > 0) && (!rules.integer || Number.isInteger(v));
  if (!ok) throw new ValidationError(`${flag} must be a ${rules.zero ? 'non-negative' : 'positive'}${rules.integer ? ' whole' : ''} number, got '${s}'`);
  return v;
}

/** `number` of a flag that may be absent. */
export function optionalNumber(flag: string, s: string | undefined, rules: { integer?: boolean; zero?: boolean } = {}): number | undefined {
  return s === undefined ? undefined : number(flag, s, rules);
}

/** The object without its undefined entries: the flags that were given. */
export function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** A date or timestamp (YYYY-MM-DD[ HH:MM[:SS]] as UTC, or ISO 8601), in ms. */
export function date(flag: string, s: string): number {
  const t = parseTimestamp(s);
  if (!Number.isFinite(t)) throw new ValidationError(`${flag} '${s}' is not a date (YYYY-MM-DD)`);
  return t;
}

export function oneOf<T extends string>(flag: string, s: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(s)) throw new ValidationError(`${flag} must be one of ${allowed.join(', ')}, got '${s}'`);
  return s as T;
}

export const PURCHASE_FORMATS: readonly PurchaseFormat[] = ['canonical', 'online-retail'];

export function purchaseFormat(s: string): PurchaseFormat {
  return oneOf('--format', s, PURCHASE_FORMATS);
}

/** Model choice and hyperparameter flags of `retain evaluate` and `retain train recommender`. */
export const MODEL_OPTIONS = {
  model: { type: 'string', default: 'auto' },
  validation: { type: 'string' },
  folds: { type: 'string' },
  'inner-cutoff': { type: 'string' },
  'als-budget': { type: 'string' },
  lambda: { type: 'string' },
  'half-life': { type: 'string' },
  beta: { type: 'string' },
  factors: { type: 'string' },
  iterations: { type: 'string' },
  reg: { type: 'string' },
  alpha: { type: 'string' },
  weighting: { type: 'string' },
  solver: { type: 'string' },
  neighbours: { type: 'string' },
  'window-days': { type: 'string' },
} as const;

type ModelFlags = Partial<Record<keyof typeof MODEL_OPTIONS, string | undefined>>;

/** The model the flags ask for: 'auto', or a spec with exactly the settings given. */
export function modelChoice(values: ModelFlags): 'auto' | ModelSpec {
  const opt = <T>(name: keyof ModelFlags, parse: (v: string) => T): T | undefined => (values[name] === undefined ? undefined : parse(values[name]));
  switch (values.model ?? 'auto') {
    case 'auto':
      return 'auto';
    case 'ease':
      return defined({ algorithm: 'ease' as const, lambda: opt('lambda', (v) => number('--lambda', v)), halfLifeDays: opt('half-life', (v) => number('--half-life', v)) });
    case 'rp3beta':
      return defined({
        algorithm: 'rp3beta' as const,
        alpha: opt('alpha', (v) => number('--alpha', v)),
        beta: opt('beta', (v) => number('--beta', v, { zero: true })),
        neighbours: opt('neighbours', (v) => number('--neighbours', v, { integer: true })),
      });
    case 'knn':
      return defined({ algorithm: 'knn' as const, neighbours: opt('neighbours', (v) => number('--neighbours', v, { integer: true })) });
    case 'popularity':
      return defined({ algorithm: 'popularity' as const, windowDays: opt('window-days', (v) => number('--window-days', v)) });
    case 'als':
      return defined({
        algorithm: 'als' as const,
        factors: opt('factors', (v) => number('--factors', v, { integer: true })),
        iterations: opt('iterations', (v) => number('--iterations', v, { integer: true })),
        regularization: opt('reg', (v) => number('--reg', v, { zero: true })),
        alpha: opt('alpha', (v) => number('--alpha', v, { zero: true })),
        weighting: opt('weighting', (v) => oneOf<Weighting>('--weighting', v, ['binary', 'counts', 'log', 'recency'])),
        solver: opt('solver', (v) => oneOf('--solver', v, ['cg', 'exact'] as const)),
      });
    default:
      throw new ValidationError(`--model must be ease, als, knn, rp3beta, popularity or auto, got '${values.model}'`);
  }
}

/** The validation, folds, inner-cutoff and als-budget flags of the model selection, when given. */
export function selectionFlags(values: ModelFlags): { validation?: ValidationChoice; folds?: number; innerCutoff?: number; alsBudget?: number } {
  return {
    ...(values.validation ? { validation: oneOf<ValidationChoice>('--validation', values.validation, ['time', 'random', 'auto']) } : {}),
    ...(values.folds ? { folds: number('--folds', values.folds, { integer: true }) } : {}),
    ...(values['inner-cutoff'] ? { innerCutoff: date('--inner-cutoff', values['inner-cutoff']) } : {}),
    ...(values['als-budget'] ? { alsBudget: number('--als-budget', values['als-budget'], { integer: true, zero: true }) } : {}),
  };
}

/** A TCP port to listen on, 0 for any free one. */
export function port(s: string): number {
  const v = Number(s);
  if (!Number.isInteger(v) || v < 0 || v > 65535) throw new ValidationError(`--port must be 0–65535, got '${s}'`);
  return v;
}
