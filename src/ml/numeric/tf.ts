// TensorFlow.js with the fastest backend that loads here: native `tensorflow` (tfjs-node, an
// optional dependency that cannot install everywhere), else `wasm` (SIMD), else plain `cpu`.
// Every module that does heavy arithmetic imports `tf` from here and awaits `initTf()` once.
//
// Only the parts of @tensorflow/tfjs that retain uses are imported (tfjs-core, its cpu and wasm
// backends; the layers API only where the churn network is trained, src/ml/churn/model.ts): the
// union package also loads the converter, data and WebGL modules, about 55 MiB of RSS in every
// serving process for nothing. tfjs-node, when installed, registers its backend on the same core.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export { tf };
export type TfBackend = 'tensorflow' | 'wasm' | 'cpu';

let ready: Promise<TfBackend> | undefined;

/** Picks and initialises the backend once per process; resolves to its name (callers log it). */
export function initTf(prefer?: TfBackend): Promise<TfBackend> {
  ready ??= pickBackend(prefer);
  return ready;
}

async function pickBackend(prefer?: TfBackend): Promise<TfBackend> {
  const order: TfBackend[] = prefer ? [prefer, 'tensorflow', 'wasm', 'cpu'] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    if (name === 'tensorflow' && !loadNative()) continue;
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // try the next backend
    }
  }
  throw new Error('no TensorFlow.js backend could be initialised');
}

function loadNative(): boolean {
  try {
    createRequire(import.meta.url)('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}
