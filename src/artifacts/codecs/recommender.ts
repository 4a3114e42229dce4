// Recommender <-> artifact files. Arrays are raw little-endian Int32/Float32 files, id lists JSON;
// structure.json names the family whose files these are, so a loader never guesses. The parts
// every model has (ids, history, popularity, precomputed lists) are written here; the family
// encodes its own model (arrays, and settings kept in structure.json under the family's name).
import { z } from 'zod';
import type { Csr } from '../../ml/cf/sparse.ts';
import type { PartReader } from '../../ml/cf/family.ts';
import { createRecommender, type Recommender, type RecommenderState, type TopLists } from '../../ml/cf/recommender.ts';
import { familyOf, findFamily, registeredFamilies, type ModelScorer } from '../../ml/cf/registry.ts';
import { bytesToFloat32, bytesToInt32, float32ToBytes, int32ToBytes } from '../binary.ts';
import { ArtifactError, loadArtifact, saveArtifact } from '../store.ts';
import type { Manifest } from '../manifest.ts';

const Structure = z.object({
  algorithm: z.string(),
  customers: z.number().int().nonnegative(),
  items: z.number().int().nonnegative(),
  candidatesPerCustomer: z.number().int().nonnegative(),
  similarPerItem: z.number().int().nonnegative(),
});

export interface SaveRecommenderInput {
  params: Record<string, unknown>;
  dataWindow: Manifest['dataWindow'];
  metrics: Record<string, unknown>;
  activate?: boolean;
}

/** A loaded model together with the manifest it was saved with (its version, data window, metrics). */
export type StoredRecommender = Recommender & { readonly manifest: Manifest };

export async function saveRecommender(modelsDir: string, state: RecommenderState, input: SaveRecommenderInput): Promise<Manifest> {
  return saveArtifact(modelsDir, { kind: 'recommender', ...input, files: encodeRecommender(state) });
}

/** Loads and verifies a version (CURRENT by default) into a ready-to-query model: what the service serves. */
export async function loadRecommender(modelsDir: string, version?: string): Promise<StoredRecommender> {
  const { manifest, files } = await loadArtifact(modelsDir, 'recommender', version);
  return Object.assign(createRecommender(decodeRecommender(files, manifest.version), manifest.version), { manifest });
}

export function encodeRecommender(state: RecommenderState): Record<string, Uint8Array | string> {
  const { scorer } = state;
  const { algorithm, ...model } = scorer;
  const part = familyOf(algorithm).encode(model);
  const structure: z.infer<typeof Structure> & Record<string, unknown> = {
    algorithm,
    customers: state.customerIds.length,
    items: state.itemIds.length,
    candidatesPerCustomer: state.candidates.perRow,
    similarPerItem: state.similarItems.perRow,
    ...(part.settings ? { [algorithm]: part.settings } : {}),
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
  for (const [name, array] of Object.entries(part.arrays)) {
    if (array instanceof Float32Array) files[`${name}.f32`] = float32ToBytes(array);
    else if (array instanceof Int32Array) files[`${name}.i32`] = int32ToBytes(array);
    else Object.assign(files, csrFiles(name, array));
  }
  return files;
}

export function decodeRecommender(files: Map<string, Buffer>, version: string): RecommenderState {
  const fail = (message: string): never => {
    throw new ArtifactError(`recommender model ${version}: ${message}`);
  };
  const need = (name: string): Buffer => files.get(name) ?? fail(`file ${name} is missing`);
  const json = (name: string): unknown => JSON.parse(need(name).toString('utf8'));
  const raw = json('structure.json');
  const s = Structure.parse(raw);
  const ids = z.array(z.string());
  const customerIds = ids.parse(json('customers.json'));
  const itemIds = ids.parse(json('items.json'));
  if (customerIds.length !== s.customers || itemIds.length !== s.items) fail('id lists do not match structure.json');
  const family = findFamily(s.algorithm) ?? fail(`unknown recommender family '${s.algorithm}' (this build knows ${registeredFamilies().map((f) => f.algorithm).join(', ')})`);
  const part: PartReader = {
    settings: (raw as Record<string, unknown>)[s.algorithm],
    customers: s.customers,
    items: s.items,
    float32: (name) => bytesToFloat32(need(`${name}.f32`)),
    int32: (name) => bytesToInt32(need(`${name}.i32`)),
    csr: (name, rows, cols) => readCsr(need, name, rows, cols),
    reject: fail,
  };
  return {
    scorer: { algorithm: s.algorithm, ...family.decode(part) } as ModelScorer,
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
