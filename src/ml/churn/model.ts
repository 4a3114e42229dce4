// The churn network: logistic regression (hiddenUnits = 0) or a one-hidden-layer MLP, built with the
// TensorFlow.js layers API, trained with early stopping on a validation slice, and averaged over an
// ensemble of seeds. The fitted result is plain Float32Array weights (no live tf objects), so it can
// be saved as raw bytes and scored anywhere. Inputs are standardised features (see features.ts).
// The layers API is loaded when a network is trained, not when this module is: scoring needs only
// tfjs-core, and the layers package costs a serving process about 35 MiB of RSS (bench/serve).
import type * as Layers from '@tensorflow/tfjs-layers';
import { tf } from '../numeric/tf.ts';
import { createRng, shuffled } from '../numeric/rng.ts';

export interface ChurnNetOptions {
  /** Width of the hidden ReLU layer; 0 gives logistic regression. */
  hiddenUnits: number;
  /** L2 penalty l2·Σw² on every kernel, added to the mean batch loss (as Keras' l2 regularizer). */
  l2: number;
  learningRate: number;
  /** Smallest batch; it grows so that an epoch takes at most `maxBatchesPerEpoch` steps. */
  batchSize: number;
  maxBatchesPerEpoch: number;
  maxEpochs: number;
  /** Epochs without a better validation log-loss before a member stops (best weights are kept). */
  patience: number;
  /** One ensemble member per seed (initial weights and batch order). */
  seeds: readonly number[];
  /** Weight classes by n / (2·n_class) so neither churners nor stayers dominate the loss. */
  balanceClasses: boolean;
}

export const defaultChurnNetOptions: ChurnNetOptions = {
  hiddenUnits: 8,
  l2: 0.01,
  learningRate: 0.01,
  batchSize: 256,
  maxBatchesPerEpoch: 50,
  maxEpochs: 200,
  patience: 15,
  seeds: [1, 2, 3, 4, 5],
  balanceClasses: true,
};

/** Row-major feature matrix (n rows × d columns) with 0/1 labels. */
export interface ChurnDataset {
  x: Float32Array;
  y: Uint8Array;
  rows: number;
  columns: number;
}

export interface ChurnNetMember {
  /** d × h, row-major; empty when hiddenUnits = 0. */
  hiddenKernel: Float32Array;
  hiddenBias: Float32Array;
  /** h × 1 (or d × 1 for logistic regression). */
  outputKernel: Float32Array;
  outputBias: number;
  bestEpoch: number;
  validationLogLoss: number;
}

export interface ChurnNet {
  inputSize: number;
  hiddenUnits: number;
  members: readonly ChurnNetMember[];
}

export interface FitProgress {
  (member: number, epoch: number, validationLogLoss: number): void;
}

/** Trains one member per seed on `train`, stopping each on `validation` log-loss. */
export async function fitChurnNet(
  train: ChurnDataset,
  validation: ChurnDataset,
  options: Partial<ChurnNetOptions> = {},
  onEpoch?: FitProgress,
): Promise<ChurnNet> {
  const o = { ...defaultChurnNetOptions, ...options } satisfies ChurnNetOptions;
  checkDataset(train);
  checkDataset(validation);
  if (validation.columns !== train.columns) throw new RangeError('train and validation have different columns');
  if (o.seeds.length === 0) throw new RangeError('at least one seed is needed');
  const positives = train.y.reduce((s, v) => s + v, 0);
  if (positives === 0 || positives === train.rows) throw new RangeError('training labels have a single class');
  const classWeight = o.balanceClasses
    ? { 0: train.rows / (2 * (train.rows - positives)), 1: train.rows / (2 * positives) }
    : undefined;

  const tfl = await import('@tensorflow/tfjs-layers');
  const xs = tf.tensor2d(train.x, [train.rows, train.columns]);
  const ys = tf.tensor2d(Float32Array.from(train.y), [train.rows, 1]);
  const members: ChurnNetMember[] = [];
  try {
    for (let m = 0; m < o.seeds.length; m++) {
      members.push(await fitMember(tfl, xs, ys, validation, o, o.seeds[m]!, classWeight, (e, l) => onEpoch?.(m, e, l)));
    }
  } finally {
    xs.dispose();
    ys.dispose();
  }
  return { inputSize: train.columns, hiddenUnits: o.hiddenUnits, members };
}

async function fitMember(
  tfl: typeof Layers,
  xs: tf.Tensor2D,
  ys: tf.Tensor2D,
  validation: ChurnDataset,
  o: ChurnNetOptions,
  seed: number,
  classWeight: Record<number, number> | undefined,
  onEpoch: (epoch: number, loss: number) => void,
): Promise<ChurnNetMember> {
  const [rows, d] = xs.shape;
  const model = tfl.sequential();
  if (o.hiddenUnits > 0) {
    model.add(tfl.layers.dense({ inputShape: [d], units: o.hiddenUnits, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed }) }));
  }
  model.add(
    tfl.layers.dense({
      ...(o.hiddenUnits > 0 ? {} : { inputShape: [d] }),
      units: 1,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 7919 }),
    }),
  );
  const kernels = model.trainableWeights.filter((w) => w.name.includes('kernel')).map((w) => w.read());
  const optimizer = tf.train.adam(o.learningRate);
  // Per-row class weights (1 when unbalanced); the loss is their weighted mean cross-entropy.
  const weights = tf.tidy(() => (classWeight ? tf.add(tf.mul(ys, classWeight[1]! - classWeight[0]!), classWeight[0]!) : tf.onesLike(ys)));
  const batchSize = Math.max(o.batchSize, Math.ceil(rows / o.maxBatchesPerEpoch));

  const rng = createRng(seed);
  const rowIndex = Int32Array.from({ length: rows }, (_, i) => i);
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: Float32Array[] = [];
  try {
    for (let epoch = 1; epoch <= o.maxEpochs && epoch - bestEpoch <= o.patience; epoch++) {
      // A custom loop (instead of model.fit) for a seeded batch order and little per-batch overhead.
      const order = shuffled(rowIndex, rng);
      for (let start = 0; start < rows; start += batchSize) {
        const idx = tf.tensor1d(order.subarray(start, Math.min(rows, start + batchSize)), 'int32');
        tf.tidy(() => {
          const xb = tf.gather(xs, idx);
          const yb = tf.gather(ys, idx);
          const wb = tf.gather(weights, idx);
          optimizer.minimize(() => {
            // logits out, loss from logits: numerically stable where sigmoid + log would saturate
            const logits = model.apply(xb, { training: true }) as tf.Tensor;
            const ce = tf.losses.sigmoidCrossEntropy(yb, logits, wb, 0, tf.Reduction.MEAN);
            return kernels.reduce((loss, k) => tf.add(loss, tf.mul(o.l2, tf.sum(tf.square(k)))), ce) as tf.Scalar;
          });
        });
        idx.dispose();
      }
      const loss = logLoss(validation.y, predictLogits(model, validation));
      onEpoch(epoch, loss);
      if (loss < best - 1e-6) {
        best = loss;
        bestEpoch = epoch;
        bestWeights = model.getWeights().map((w) => w.dataSync() as Float32Array).map((a) => a.slice());
      }
    }
  } finally {
    weights.dispose();
    optimizer.dispose();
    model.dispose();
  }
  if (o.hiddenUnits > 0) {
    const [hk, hb, ok, ob] = bestWeights;
    return { hiddenKernel: hk!, hiddenBias: hb!, outputKernel: ok!, outputBias: ob![0]!, bestEpoch, validationLogLoss: best };
  }
  const [ok, ob] = bestWeights;
  return { hiddenKernel: new Float32Array(0), hiddenBias: new Float32Array(0), outputKernel: ok!, outputBias: ob![0]!, bestEpoch, validationLogLoss: best };
}

function predictLogits(model: Layers.LayersModel, data: ChurnDataset): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(data.x, [data.rows, data.columns])) as tf.Tensor).dataSync() as Float32Array).slice();
}

/** Ensemble logit = mean of the members' logits, for n rows of standardised features. Processed in blocks to bound memory. */
export function churnNetLogits(net: ChurnNet, x: Float32Array, rows: number): Float32Array {
  const d = net.inputSize;
  if (x.length !== rows * d) throw new RangeError(`expected ${rows} × ${d} features, got ${x.length} values`);
  const out = new Float32Array(rows);
  const block = 65_536;
  const weights = net.members.map((m) => ({
    hk: net.hiddenUnits > 0 ? tf.tensor2d(m.hiddenKernel, [d, net.hiddenUnits]) : undefined,
    hb: net.hiddenUnits > 0 ? tf.tensor1d(m.hiddenBias) : undefined,
    ok: tf.tensor2d(m.outputKernel, [net.hiddenUnits > 0 ? net.hiddenUnits : d, 1]),
    ob: m.outputBias,
  }));
  try {
    for (let start = 0; start < rows; start += block) {
      const n = Math.min(block, rows - start);
      const logits = tf.tidy(() => {
        const xb = tf.tensor2d(x.subarray(start * d, (start + n) * d), [n, d]);
        let sum: tf.Tensor = tf.zeros([n, 1]);
        for (const w of weights) {
          const h = w.hk && w.hb ? tf.relu(tf.add(tf.matMul(xb, w.hk), w.hb)) : xb;
          sum = tf.add(sum, tf.add(tf.matMul(h, w.ok), w.ob));
        }
        return tf.div(sum, weights.length).dataSync() as Float32Array;
      });
      out.set(logits, start);
    }
  } finally {
    for (const w of weights) for (const t of [w.hk, w.hb, w.ok]) t?.dispose();
  }
  return out;
}

/** Mean binary log-loss of logits z: (1/n)·Σ softplus(z) − y·z. */
export function logLoss(y: Uint8Array, logits: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const z = logits[i]!;
    sum += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[i]! * z;
  }
  return sum / y.length;
}

function checkDataset(data: ChurnDataset): void {
  if (data.rows === 0) throw new RangeError('empty dataset');
  if (data.x.length !== data.rows * data.columns || data.y.length !== data.rows) {
    throw new RangeError(`dataset shape mismatch: ${data.rows} rows × ${data.columns} columns, ${data.x.length} values, ${data.y.length} labels`);
  }
}
