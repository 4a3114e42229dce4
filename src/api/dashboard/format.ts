// Number and date formatting for people, one way everywhere on the dashboard.

const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const money = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat('en-GB', { notation: 'compact', maximumFractionDigits: 1 });

export const fmt = {
  int: (n: number): string => integer.format(n),
  money: (n: number): string => money.format(n),
  compact: (n: number): string => compact.format(n),
  /** 0.4213 -> "42.1%". */
  share: (p: number | null, digits = 1): string => (p === null || !Number.isFinite(p) ? '—' : `${(p * 100).toFixed(digits)}%`),
  /** Already in percent: 42.13 -> "42.1%". */
  percent: (v: number | null, digits = 1): string => (v === null || !Number.isFinite(v) ? '—' : `${v.toFixed(digits)}%`),
  num: (n: number | null, digits = 3): string => (n === null || !Number.isFinite(n) ? '—' : n.toFixed(digits)),
  day: (d: Date | string | null): string => (d === null ? '—' : new Date(d).toISOString().slice(0, 10)),
  month: (d: Date): string => d.toISOString().slice(0, 7),
};
