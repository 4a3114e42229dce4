import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { loadChurnModel, saveChurnModel, type ChurnModel } from '../../../src/artifacts/codecs/churn.ts';
import { fitChurnClassifier, scoreChurnClassifier } from '../../../src/ml/churn/classifier.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';

let dir: string;
let model: ChurnModel;
let x: Float32Array;
const rows = 400;
const names = ['a', 'b', 'c'];

beforeAll(async () => {
  await initTf();
  dir = await mkdtemp(join(tmpdir(), 'retain-churn-codec-'));
  // churn depends on a and b (not c), with noise
  const rng = createRng(3);
  x = new Float32Array(rows * 3);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < 3; j++) x[i * 3 + j] = 10 + 5 * rng.normal();
    y[i] = rng.next() < 1 / (1 + Math.exp(-(x[i * 3]! - x[i * 3 + 1]!) / 3)) ? 1 : 0;
  }
  const fit = await fitChurnClassifier(x, y, names, { net: { hiddenUnits: 4, seeds: [1, 2], maxEpochs: 20 } });
  model = { classifier: fit.classifier, horizonDays: 90, bgNbdPenalizer: 0 };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('churn artifact codec', () => {
  it('round-trips to identical scores through raw Float32 weights and a JSON structure', async () => {
    const manifest = await saveChurnModel(dir, model, { params: { note: 'test' }, dataWindow: { from: null, to: null }, metrics: {} });
    expect(Object.keys(manifest.files).sort()).toEqual(['structure.json', 'weights.f32']);
    // 2 members × (3·4 hidden kernel + 4 hidden bias + 4 output kernel) floats
    expect(manifest.files['weights.f32']!.bytes).toBe(2 * (12 + 4 + 4) * 4);
    const loaded = await loadChurnModel(dir);
    expect(loaded.manifest.version).toBe(manifest.version);
    expect(loaded.horizonDays).toBe(90);
    const before = scoreChurnClassifier(model.classifier, x, rows).probability;
    const after = scoreChurnClassifier(loaded.classifier, x, rows).probability;
    expect(Array.from(after)).toEqual(Array.from(before));
  });

  it('refuses a version whose weights were altered', async () => {
    const manifest = await saveChurnModel(dir, model, { params: {}, dataWindow: { from: null, to: null }, metrics: {} });
    const path = join(dir, 'churn', manifest.version, 'weights.f32');
    const bytes = await readFile(path);
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(path, bytes);
    await expect(loadChurnModel(dir, manifest.version)).rejects.toThrow(/checksum/);
  });
});
