// Recommender <-> artifact files. Arrays are raw little-endian Int32/Float32 files, id lists JSON;
// structure.json says which scorer the files describe, so a loader never guesses.
import { z } from 'zod';
import { createRecommender, type ModelScorer, type Recommender, type RecommenderState, type TopLists } from '../../ml/cf/recommender.ts';
import type { Csr } from '../../ml/cf/sparse.ts';
import { bytesToFloat32, bytesToInt32, float32ToBytes, int32ToBytes } from '../binary.ts';
import { ArtifactError, loadArtifact, saveArtifact } from '../store.ts';
import type { Manifest } from '../manifest.ts';

const Structure = z.object({
  algorithm: z.enum(['als', 'ease', 'knn', 'popularity']),
  customers: z.number().int().nonnegative(),
  items: z.number().int().nonnegative(),
  candidatesPerCustomer: z.number().int().nonnegative(),
  similarPerItem: z.number().int().nonnegative(),
  als: z.object({ factors: z.number().int().positive(), alpha: z.number(), weighting: z.enum(['binary', 'counts', 'log', 'recency']) }).optional(),
});

export interface SaveRecommenderInput {
  params: Record<string, unknown>;
  dataWindow: Manifest['dataWindow'];
  metrics: Record<string, unknown>;
  activate?: boolean;
}

export async function saveRecommender(modelsDir: string, state: RecommenderState, input: SaveRecommenderInput): Promise<Manifest> {
  return saveArtifact(modelsDir, { kind: 'recommender', ...input, files: encodeRecommender(state) });
}

/** Loads and verifies a version (CURRENT by default) into a ready-to-query model. */
export async function loadRecommender(modelsDir: string, version?: string): Promise<Recommender> {
  const { manifest, files } = await loadArtifact(modelsDir, 'recommender', version);
  return createRecommender(decodeRecommender(files, manifest.version), manifest.version);
}

export function encodeRecommender(state: RecommenderState): Record<string, Uint8Array | string> {
  const { scorer } = state;
  const structure: z.infer<typeof Structure> = {
    algorithm: scorer.algorithm,
    customers: state.customerIds.length,
    items: state.itemIds.length,
    candidatesPerCustomer: state.candidates.perRow,
    similarPerItem: state.similarItems.perRow,
    ...(scorer.algorithm === 'als' ? { als: { factors: scorer.factors, alpha: scorer.foldIn.alpha, weighting: scorer.foldIn.weighting } } : {}),
  };
  const files: Record<string, Uint8Array | string> = {
    'structure.json': JSON.stringify(structure),
    'customers.json': JSON.stringify(state.customerIds),
    'items.json': JSON.stringify(state.itemIds),
    'categories.json': JSON.stringify(state.itemCategories),
    'popularity.f32': float32ToBytes(state.popularity),
    ...csrFiles('history', state.history),
    ...listFiles('candidates', state.candidates),
    ...listFiles('similar', state.similarItems),
  };
  switch (scorer.algorithm) {
    case 'als':
      files['user-factors.f32'] = float32ToBytes(scorer.userFactors);
      files['item-factors.f32'] = float32ToBytes(scorer.itemFactors);
      files['fold-in-gram.f32'] = float32ToBytes(scorer.foldIn.gram);
      break;
    case 'ease':
      files['ease-weights.f32'] = float32ToBytes(scorer.weights);
      break;
    case 'knn':
      Object.assign(files, csrFiles('neighbours', scorer.neighbours));
      break;
    case 'popularity':
      break;
  }
  return files;
}

export function decodeRecommender(files: Map<string, Buffer>, version: string): RecommenderState {
  const need = (name: string): Buffer => {
    const bytes = files.get(name);
    if (!bytes) throw new ArtifactError(`recommender model ${version}: file ${name} is missing`);
    return bytes;
  };
  const json = (name: string): unknown => JSON.parse(need(name).toString('utf8'));
  const s = Structure.parse(json('structure.json'));
  const ids = z.array(z.string());
  const customerIds = ids.parse(json('customers.json'));
  const itemIds = ids.parse(json('items.json'));
  if (customerIds.length !== s.customers || itemIds.length !== s.items) throw new ArtifactError(`recommender model ${version}: id lists do not match structure.json`);
  let scorer: ModelScorer;
  switch (s.algorithm) {
    case 'als': {
      if (!s.als) throw new ArtifactError(`recommender model ${version}: als settings missing`);
      const gram = bytesToFloat32(need('fold-in-gram.f32'));
      scorer = { algorithm: 'als', factors: s.als.factors, userFactors: bytesToFloat32(need('user-factors.f32')), itemFactors: bytesToFloat32(need('item-factors.f32')), foldIn: { factors: s.als.factors, gram, alpha: s.als.alpha, weighting: s.als.weighting } };
      break;
    }
    case 'ease':
      scorer = { algorithm: 'ease', weights: bytesToFloat32(need('ease-weights.f32')) };
      break;
    case 'knn':
      scorer = { algorithm: 'knn', neighbours: readCsr(need, 'neighbours', s.items, s.items) };
      break;
    case 'popularity':
      scorer = { algorithm: 'popularity' };
  }
  return {
    scorer,
    customerIds,
    itemIds,
    itemCategories: ids.parse(json('categories.json')),
    history: readCsr(need, 'history', s.customers, s.items),
    popularity: bytesToFloat32(need('popularity.f32')),
    candidates: readList(need, 'candidates', s.candidatesPerCustomer),
    similarItems: readList(need, 'similar', s.similarPerItem),
  };
}

function csrFiles(name: string, m: Csr): Record<string, Uint8Array> {
  return { [`${name}.rowptr.i32`]: int32ToBytes(m.rowPtr), [`${name}.cols.i32`]: int32ToBytes(m.colIdx), [`${name}.values.f32`]: float32ToBytes(m.values) };
}

function readCsr(need: (name: string) => Buffer, name: string, rows: number, cols: number): Csr {
  const rowPtr = bytesToInt32(need(`${name}.rowptr.i32`));
  if (rowPtr.length !== rows + 1) throw new ArtifactError(`${name}.rowptr.i32 has ${rowPtr.length} entries, expected ${rows + 1}`);
  return { rows, cols, rowPtr, colIdx: bytesToInt32(need(`${name}.cols.i32`)), values: bytesToFloat32(need(`${name}.values.f32`)) };
}

function listFiles(name: string, lists: TopLists): Record<string, Uint8Array> {
  return { [`${name}.items.i32`]: int32ToBytes(lists.items), [`${name}.scores.f32`]: float32ToBytes(lists.scores) };
}

function readList(need: (name: string) => Buffer, name: string, perRow: number): TopLists {
  return { perRow, items: bytesToInt32(need(`${name}.items.i32`)), scores: bytesToFloat32(need(`${name}.scores.f32`)) };
}
