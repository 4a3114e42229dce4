// A worker thread of the pool in threads.ts. Plain JavaScript so Node loads it the same way under
// tsx, vitest and `node --import tsx`: it registers tsx itself, then imports the TypeScript
// kernels it is asked to run. Each worker has its own tfjs backend (the one the parent uses).
// Protocol: the parent posts { module, name, args }; the worker replies on its port ({} or
// { error }) and then sets done[0] = 1, which wakes the parent blocked in Atomics.wait.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

const { done, port, backend } = workerData;

function reply(message) {
  port.postMessage(message);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}

function describe(error) {
  return error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
}

try {
  register();
  const { initTf } = await import('./tf.ts');
  await initTf(backend);
  const modules = new Map();
  parentPort.on('message', async ({ module, name, args }) => {
    try {
      if (!modules.has(module)) modules.set(module, await import(module));
      modules.get(module)[name].run(args);
      reply({});
    } catch (error) {
      reply({ error: describe(error) });
    }
  });
  reply({});
} catch (error) {
  reply({ error: describe(error) });
}
