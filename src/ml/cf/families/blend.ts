// A validation-weighted blend of trained models of other families (blend.ts): each part scores the
// customer, the scores are put on one scale per part and summed with the weights selection chose.
// The parts are whole models of their own families (fit, saved and loaded by them); the registry
// hands this file its family lookup, so the blend never imports the registry.
import { blendScores } from '../blend.ts';
import type { AnyFamily, FamilyScorer, PartArray, PartReader, RecommenderFamily } from '../family.ts';

/** One part: a family's name and its hyperparameters (that family's defaults fill the rest). */
export interface PartSpec {
  algorithm: string;
}

export interface BlendOptions {
  parts: PartSpec[];
  /** One weight per part, on the parts' normalised scores. */
  weights: number[];
}

export interface BlendModel {
  parts: { algorithm: string; model: object }[];
  weights: number[];
}

export const BLEND_DEFAULTS: BlendOptions = { parts: [{ algorithm: 'ease' }, { algorithm: 'knn' }], weights: [0.65, 0.35] };

export function createBlendFamily(familyOf: (algorithm: string) => AnyFamily): RecommenderFamily<'blend', BlendOptions, BlendModel> {
  const familyOfPart = (algorithm: string): AnyFamily => {
    if (algorithm === 'blend') throw new RangeError('a blend cannot contain a blend');
    return familyOf(algorithm);
  };
  return {
    algorithm: 'blend',
    defaults: BLEND_DEFAULTS,

    fit(input, { parts, weights }) {
      if (parts.length !== weights.length || parts.length < 2) throw new RangeError(`a blend needs two or more parts with one weight each, got ${parts.length} parts and ${weights.length} weights`);
      const fits = parts.map(({ algorithm, ...settings }) => {
        const family = familyOfPart(algorithm);
        return { algorithm, fit: family.fit(input, { ...family.defaults, ...settings }) };
      });
      // a trending-popularity part brings its own popularity vector, which its scorer reads
      const popularity = fits.find((f) => f.fit.popularity)?.fit.popularity;
      return { model: { weights, parts: fits.map((f) => ({ algorithm: f.algorithm, model: f.fit.model })) }, ...(popularity ? { popularity } : {}) };
    },

    scorer({ parts, weights }, context) {
      const scorers: FamilyScorer[] = parts.map((p) => familyOfPart(p.algorithm).scorer(p.model, context));
      const scratch = parts.map(() => new Float32Array(context.nItems));
      const { history } = context;
      // every part scores the whole catalog: the scale of a part's scores is taken over all items
      const combine = (score: (s: FamilyScorer, out: Float32Array) => void, out: Float32Array) => {
        scorers.forEach((s, p) => score(s, scratch[p]!));
        blendScores(scratch, weights, out);
      };
      return {
        scoreItems: (itemIdxs, out) => combine((s, o) => s.scoreItems(itemIdxs, o), out),
        scoreCustomer: (u, out) =>
          combine((s, o) => (s.scoreCustomer ? s.scoreCustomer(u, o) : s.scoreItems(history.colIdx.subarray(history.rowPtr[u]!, history.rowPtr[u + 1]!), o)), out),
        // similar items are the first (main) part's
        similarTo: (i, out, members) => scorers[0]!.similarTo(i, out, members),
        dispose: () => scorers.forEach((s) => s.dispose?.()),
      };
    },

    encode({ parts, weights }) {
      const arrays: Record<string, PartArray> = {};
      const settings = parts.map((p, k) => {
        const part = familyOfPart(p.algorithm).encode(p.model);
        for (const [name, array] of Object.entries(part.arrays)) arrays[`part${k}-${name}`] = array;
        return { algorithm: p.algorithm, settings: part.settings ?? null };
      });
      return { settings: { weights, parts: settings }, arrays };
    },

    decode(reader) {
      const s = reader.settings as { weights?: unknown; parts?: unknown } | undefined;
      const weights = s?.weights;
      const parts = s?.parts;
      if (!Array.isArray(weights) || !Array.isArray(parts) || weights.length !== parts.length || !weights.every((w) => typeof w === 'number'))
        return reader.reject('blend settings need parts and one numeric weight per part');
      return {
        weights: weights as number[],
        parts: (parts as { algorithm?: unknown; settings?: unknown }[]).map((p, k) => {
          const algorithm = p.algorithm;
          if (typeof algorithm !== 'string') return reader.reject(`blend part ${k} has no algorithm`);
          return { algorithm, model: familyOfPart(algorithm).decode(prefixed(reader, `part${k}-`, p.settings ?? undefined)) };
        }),
      };
    },

    // blends are built by selection from the best models of each family, not searched on their own
    searchSpace: () => ({ candidates: [] }),
  };
}

function prefixed(reader: PartReader, prefix: string, settings: unknown): PartReader {
  return {
    settings,
    customers: reader.customers,
    items: reader.items,
    float32: (name) => reader.float32(prefix + name),
    csr: (name, rows, cols) => reader.csr(prefix + name, rows, cols),
    reject: (message) => reader.reject(message),
  };
}
