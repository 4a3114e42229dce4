// A per-customer summary table from a CSV file, as data scientists export them from lifetimes
// (frequency, recency, T[, monetary_value]) or as Hardie's CDNOW files write them (x, t_x, T[, zbar]).
import { ValidationError } from '../errors.ts';
import type { RepeatSummary, TimeUnit } from '../ml/customers/summary.ts';
import { openInput, readCsv } from './csv.ts';

const COLUMN_NAMES = {
  frequency: ['frequency', 'x'],
  recency: ['recency', 't_x', 'tx'],
  T: ['T'],
  monetary: ['monetary_value', 'monetary', 'zbar', 'm_x'],
  id: ['customer_id', 'id', 'customerid', ''],
} as const;

export interface SummaryTable extends RepeatSummary {
  /** Customer ids from an id column, or row numbers (1-based) when there is none. */
  readonly ids: readonly string[];
}

/** Reads the table; values are checked later by the models' own input check. */
export async function readRepeatSummaryCsv(path: string, unit: TimeUnit): Promise<SummaryTable> {
  let index: Record<keyof typeof COLUMN_NAMES, number> | undefined;
  const ids: string[] = [];
  const cols = { frequency: [] as number[], recency: [] as number[], T: [] as number[], monetary: [] as number[] };
  for await (const record of readCsv(openInput(path))) {
    if (!index) {
      const header = record.fields.map((h) => h.trim().replace(/^\uFEFF/, ''));
      const find = (names: readonly string[], exact: boolean): number =>
        header.findIndex((h) => names.some((n) => (exact ? h === n : h.toLowerCase() === n.toLowerCase())));
      index = {
        frequency: find(COLUMN_NAMES.frequency, false),
        recency: find(COLUMN_NAMES.recency, false),
        T: find(COLUMN_NAMES.T, true),
        monetary: find(COLUMN_NAMES.monetary, false),
        id: find(COLUMN_NAMES.id, false),
      };
      const missing = (['frequency', 'recency', 'T'] as const).filter((k) => index![k] < 0);
      if (missing.length > 0) {
        throw new ValidationError(
          `${path}: missing column(s) ${missing.join(', ')}; expected frequency,recency,T[,monetary_value] or x,t_x,T[,zbar], got ${header.join(',')}`,
        );
      }
      continue;
    }
    const number = (k: 'frequency' | 'recency' | 'T' | 'monetary'): number => {
      const raw = record.fields[index![k]]?.trim() ?? '';
      const v = raw === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(v)) throw new ValidationError(`${path} line ${record.line}: ${k} is not a number: '${raw}'`);
      return v;
    };
    cols.frequency.push(number('frequency'));
    cols.recency.push(number('recency'));
    cols.T.push(number('T'));
    if (index.monetary >= 0) cols.monetary.push(number('monetary'));
    ids.push(index.id >= 0 ? (record.fields[index.id] ?? '').trim() : String(ids.length + 1));
  }
  if (!index) throw new ValidationError(`${path} is empty: expected a CSV header`);
  return {
    ids,
    unit,
    frequency: Float64Array.from(cols.frequency),
    recency: Float64Array.from(cols.recency),
    T: Float64Array.from(cols.T),
    ...(index.monetary >= 0 ? { monetary: Float64Array.from(cols.monetary) } : {}),
  };
}
