// Churn classifier <-> artifact files. The network's weights are one raw little-endian Float32 file
// (weights.f32); structure.json says how to cut it (feature names, hidden width, members) and holds
// the few doubles that need full precision (standardiser, member output biases, Platt A and B).
import { z } from 'zod';
import type { ChurnClassifier } from '../../ml/churn/classifier.ts';
import type { ChurnNetMember } from '../../ml/churn/model.ts';
import { bytesToFloat32, float32ToBytes } from '../binary.ts';
import type { Manifest } from '../manifest.ts';
import { ArtifactError, loadArtifact, saveArtifact } from '../store.ts';

const Structure = z.object({
  featureNames: z.array(z.string()).min(1),
  hiddenUnits: z.number().int().nonnegative(),
  /** Days of the churn horizon the classifier was trained for. */
  horizonDays: z.number().positive(),
  bgNbdPenalizer: z.number().nonnegative(),
  standardizer: z.object({ mean: z.array(z.number()), scale: z.array(z.number().positive()) }),
  calibration: z.object({ slope: z.number(), intercept: z.number() }),
  members: z.array(z.object({ outputBias: z.number(), bestEpoch: z.number().int(), validationLogLoss: z.number() })).min(1),
});

/** A trained classifier with what scoring needs to rebuild its inputs. */
export interface ChurnModel {
  classifier: ChurnClassifier;
  horizonDays: number;
  bgNbdPenalizer: number;
}

export interface LoadedChurnModel extends ChurnModel {
  manifest: Manifest;
}

export interface SaveChurnInput {
  params: Record<string, unknown>;
  dataWindow: Manifest['dataWindow'];
  metrics: Record<string, unknown>;
  activate?: boolean;
  now?: Date;
}

export function saveChurnModel(modelsDir: string, model: ChurnModel, input: SaveChurnInput): Promise<Manifest> {
  return saveArtifact(modelsDir, { kind: 'churn', ...input, files: encodeChurnModel(model) });
}

/** Loads and verifies a version (CURRENT by default). */
export async function loadChurnModel(modelsDir: string, version?: string): Promise<LoadedChurnModel> {
  const { manifest, files } = await loadArtifact(modelsDir, 'churn', version);
  return { ...decodeChurnModel(files, manifest.version), manifest };
}

export function encodeChurnModel(model: ChurnModel): Record<string, Uint8Array | string> {
  const { classifier, horizonDays, bgNbdPenalizer } = model;
  const { net } = classifier;
  const structure: z.infer<typeof Structure> = {
    featureNames: [...classifier.featureNames],
    hiddenUnits: net.hiddenUnits,
    horizonDays,
    bgNbdPenalizer,
    standardizer: { mean: [...classifier.standardizer.mean], scale: [...classifier.standardizer.scale] },
    calibration: { ...classifier.calibration },
    members: net.members.map((m) => ({ outputBias: m.outputBias, bestEpoch: m.bestEpoch, validationLogLoss: m.validationLogLoss })),
  };
  const sizes = memberSizes(net.inputSize, net.hiddenUnits);
  const weights = new Float32Array(net.members.length * sizes.total);
  net.members.forEach((m, k) => {
    const at = k * sizes.total;
    weights.set(m.hiddenKernel, at);
    weights.set(m.hiddenBias, at + sizes.hiddenKernel);
    weights.set(m.outputKernel, at + sizes.hiddenKernel + sizes.hiddenBias);
  });
  return { 'structure.json': JSON.stringify(structure), 'weights.f32': float32ToBytes(weights) };
}

export function decodeChurnModel(files: Map<string, Buffer>, version: string): ChurnModel {
  const need = (name: string): Buffer => {
    const bytes = files.get(name);
    if (!bytes) throw new ArtifactError(`churn model ${version}: file ${name} is missing`);
    return bytes;
  };
  const parsed = Structure.safeParse(JSON.parse(need('structure.json').toString('utf8')));
  if (!parsed.success) throw new ArtifactError(`churn model ${version}: invalid structure.json (${parsed.error.issues[0]?.message ?? 'unknown'})`);
  const s = parsed.data;
  const d = s.featureNames.length;
  if (s.standardizer.mean.length !== d || s.standardizer.scale.length !== d) throw new ArtifactError(`churn model ${version}: standardiser does not match ${d} features`);
  const sizes = memberSizes(d, s.hiddenUnits);
  const weights = bytesToFloat32(need('weights.f32'));
  if (weights.length !== s.members.length * sizes.total) {
    throw new ArtifactError(`churn model ${version}: weights.f32 holds ${weights.length} values, expected ${s.members.length * sizes.total}`);
  }
  const members: ChurnNetMember[] = s.members.map((m, k) => {
    const at = k * sizes.total;
    const hk = at + sizes.hiddenKernel;
    const hb = hk + sizes.hiddenBias;
    return {
      hiddenKernel: weights.slice(at, hk),
      hiddenBias: weights.slice(hk, hb),
      outputKernel: weights.slice(hb, hb + sizes.outputKernel),
      outputBias: m.outputBias,
      bestEpoch: m.bestEpoch,
      validationLogLoss: m.validationLogLoss,
    };
  });
  return {
    classifier: {
      featureNames: s.featureNames,
      standardizer: { mean: Float64Array.from(s.standardizer.mean), scale: Float64Array.from(s.standardizer.scale) },
      net: { inputSize: d, hiddenUnits: s.hiddenUnits, members },
      calibration: s.calibration,
    },
    horizonDays: s.horizonDays,
    bgNbdPenalizer: s.bgNbdPenalizer,
  };
}

function memberSizes(d: number, h: number): { hiddenKernel: number; hiddenBias: number; outputKernel: number; total: number } {
  const hiddenKernel = d * h;
  const hiddenBias = h;
  const outputKernel = h > 0 ? h : d;
  return { hiddenKernel, hiddenBias, outputKernel, total: hiddenKernel + hiddenBias + outputKernel };
}
