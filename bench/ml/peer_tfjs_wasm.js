// peer_tfjs_wasm.js — the peer of bench/ml: the same TF.js graph models run by TensorFlow.js
// 4.22.0 with the WebAssembly backend in node, timed like bench_ml.c.
//
// Usage: NODE_PATH=<prefix>/node_modules node peer_tfjs_wasm.js ASSET_DIR RUNS THREADS
// For each model: load model.json + shards from ASSET_DIR/models/tfjs (tf.io.fromMemory),
// build the same deterministic input as bench_ml.c, run 5 warm-up inferences, then RUNS timed
// ones; one inference = execute() of the model's outputs + dataSync() of each (so the time
// includes everything until the values are readable) + dispose. Prints one line per model:
//   peer name=NAME threads=T backend=wasm simd=0|1 median_ms=X min_ms=X runs=N
'use strict';
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-wasm');
const wasm = require('@tensorflow/tfjs-backend-wasm');
const tfc = require('@tensorflow/tfjs-converter');
const fs = require('fs');
const path = require('path');

const MODELS = [
  { name: 'facemesh', shape: [1, 192, 192, 3], signed: false },
  { name: 'iris', shape: [1, 64, 64, 3], signed: false },
  { name: 'emotion', shape: [1, 64, 64, 1], signed: true },
  { name: 'posenet', shape: [1, 385, 385, 3], signed: true },
  { name: 'blazeface', shape: [1, 256, 256, 3], signed: true },
];

function input(m) {
  const n = m.shape.reduce((a, b) => a * b, 1), a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.fround(((i * 2654435761) % 4294967296 % 1000) / 1000);
    a[i] = m.signed ? 2 * u - 1 : u;
  }
  return a;
}

async function load(dir, name) {
  const file = path.join(dir, name + '.json');
  const j = JSON.parse(fs.readFileSync(file));
  const specs = [], bufs = [];
  for (const g of j.weightsManifest) {
    specs.push(...g.weights);
    for (const p of g.paths) bufs.push(fs.readFileSync(path.join(dir, p)));
  }
  const wd = Buffer.concat(bufs);
  return tfc.loadGraphModel(tf.io.fromMemory({
    modelTopology: j.modelTopology, weightSpecs: specs, format: j.format,
    weightData: wd.buffer.slice(wd.byteOffset, wd.byteOffset + wd.length) }));
}

function once(model, x) {
  const names = model.outputs.map(o => o.name);
  const ys = model.execute(x, names);
  for (const y of Array.isArray(ys) ? ys : [ys]) { y.dataSync(); y.dispose(); }
}

(async () => {
  const [assets, runsArg, threadsArg] = process.argv.slice(2);
  const runs = +runsArg || 30, threads = +threadsArg || 1;
  if (wasm.setThreadsCount) wasm.setThreadsCount(threads);
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') ? 1 : 0;
  const used = wasm.getThreadsCount ? wasm.getThreadsCount() : 1;
  const dir = path.join(assets, 'models', 'tfjs');
  for (const m of MODELS) {
    if (!fs.existsSync(path.join(dir, m.name + '.json'))) {
      console.log(`peer name=${m.name} threads=${threads} status=unavailable`);
      continue;
    }
    const model = await load(dir, m.name);
    const x = tf.tensor(input(m), m.shape);
    for (let i = 0; i < 5; i++) once(model, x);
    const t = [];
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      once(model, x);
      t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    t.sort((a, b) => a - b);
    const med = runs % 2 ? t[(runs - 1) / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    console.log(`peer name=${m.name} threads=${threads} wasm_threads=${used} backend=wasm ` +
                `simd=${simd} median_ms=${med.toFixed(3)} min_ms=${t[0].toFixed(3)} runs=${runs}`);
    x.dispose();
    model.dispose();
  }
})().catch(e => { console.error('peer failed:', e.message); process.exit(1); });
