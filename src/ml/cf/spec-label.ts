// A model spec as one short line for tables and logs: the family and the settings that differ from
// its defaults ("ease lambda=200 halfLifeDays=30"); a blend lists its weighted parts.
import { familyOf, type ModelSpec } from './registry.ts';

export function specLabel(spec: ModelSpec | ({ algorithm: string } & object)): string {
  const { algorithm, ...settings } = spec as { algorithm: string } & Record<string, unknown>;
  if (algorithm === 'blend') {
    const { parts = [], weights = [] } = settings as { parts?: ({ algorithm: string } & object)[]; weights?: number[] };
    return `blend ${parts.map((p, k) => `${weights[k]} × (${specLabel(p)})`).join(' + ')}`;
  }
  const defaults = familyOf(algorithm).defaults as Record<string, unknown>;
  const changed = Object.entries(settings).filter(([key, v]) => v !== undefined && v !== defaults[key] && key !== 'seed' && key !== 'chunkRows');
  return [algorithm, ...changed.map(([key, v]) => `${key}=${v}`)].join(' ');
}
