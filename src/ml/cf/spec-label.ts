// A model spec as one short line for tables and logs: the family and the settings the spec gives
// ("ease lambda=200 halfLifeDays=30"); a blend lists its weighted parts, each with the settings
// that differ from its family's defaults (parts are stored fully resolved).
import { familyOf, type ModelSpec } from './registry.ts';

export function specLabel(spec: ModelSpec | ({ algorithm: string } & object), onlyChanged = false): string {
  const { algorithm, ...settings } = spec as { algorithm: string } & Record<string, unknown>;
  if (algorithm === 'blend') {
    const { parts = [], weights = [] } = settings as { parts?: ({ algorithm: string } & object)[]; weights?: number[] };
    return `blend ${parts.map((p, k) => `${weights[k]} × (${specLabel(p, true)})`).join(' + ')}`;
  }
  const defaults = familyOf(algorithm).defaults as Record<string, unknown>;
  const changed = Object.entries(settings).filter(([key, v]) => v !== undefined && !(onlyChanged && v === defaults[key]) && key !== 'seed' && key !== 'chunkRows');
  return [algorithm, ...changed.map(([key, v]) => `${key}=${v}`)].join(' ');
}
