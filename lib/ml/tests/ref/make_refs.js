// make_refs.js — reference outputs of the TF.js graph models, computed by TensorFlow.js itself
// (pure-JS CPU backend), for the golden tests in lib/ml/tests/test_models_tfjs.c.
//
// Inputs are formula-generated so C can rebuild them bit-exactly (no committed binaries):
//   hash:   u[i] = ((i * 2654435761) mod 1000) / 1000            (exact integer arithmetic)
//   smooth: u    = 0.5 + 0.5 * sin(0.11*x + 0.07*y + 1.3*c) * cos(0.05*(x - y))
// over the NHWC input (x column, y row, c channel), rounded once to float32, then mapped to the
// model's range: [0,1] models use u, [-1,1] models use 2u-1 (computed in double, rounded once).
// Stored per output: n, shape, sum, sum of squares (float64 over the float32 values) and the
// values at 64 evenly spaced indices floor(k*n/64), or every value when n <= 256.
// PoseNet's 17 keypoints are also decoded here (independently of the C decoder): per keypoint
// the heatmap argmax (first maximum in row-major order), y = row*16 + offset[k],
// x = col*16 + offset[17+k], score = sigmoid(max).
//
// Rerun (network to the npm registry needed once):
//   npm install --prefix /tmp/x @tensorflow/tfjs-core@4 @tensorflow/tfjs-converter@4 \
//       @tensorflow/tfjs-backend-cpu@4
//   NODE_PATH=/tmp/x/node_modules node lib/ml/tests/ref/make_refs.js [asset dir]
// The asset dir defaults to $KOCRUIT_ASSETS or ~/.cache/kocruit/assets.
'use strict';
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfc = require('@tensorflow/tfjs-converter');
const fs = require('fs');
const path = require('path');

const MODELS = [
  { name: 'facemesh', h: 192, w: 192, c: 3, range: 'unit', outputs: ['Identity', 'Identity_1', 'Identity_2'] },
  { name: 'iris', h: 64, w: 64, c: 3, range: 'unit', outputs: ['Identity'] },
  { name: 'emotion', h: 64, w: 64, c: 1, range: 'signed', outputs: ['Identity'] },
  { name: 'posenet', h: 385, w: 385, c: 3, range: 'signed',
    outputs: ['MobilenetV1/heatmap_2/BiasAdd', 'MobilenetV1/offset_2/BiasAdd'] },
];

function makeInput(m, kind) {
  const n = m.h * m.w * m.c, a = new Float32Array(n), u = new Float32Array(1);
  for (let i = 0; i < n; i++) {
    if (kind === 'hash') {
      u[0] = Number((BigInt(i) * 2654435761n) % 1000n) / 1000;
    } else {
      const c = i % m.c, x = Math.floor(i / m.c) % m.w, y = Math.floor(i / (m.c * m.w));
      u[0] = 0.5 + 0.5 * Math.sin(0.11 * x + 0.07 * y + 1.3 * c) * Math.cos(0.05 * (x - y));
    }
    a[i] = m.range === 'unit' ? u[0] : 2 * u[0] - 1;
  }
  return a;
}

function summarise(d, shape) {
  let sum = 0, sumsq = 0;
  for (const v of d) { sum += v; sumsq += v * v; }
  const n = d.length, idx = [], val = [];
  const count = n <= 256 ? n : 64;
  for (let k = 0; k < count; k++) {
    const i = n <= 256 ? k : Math.floor((k * n) / 64);
    idx.push(i);
    val.push(d[i]);
  }
  return { n, shape, sum, sumsq, index: idx, value: val };
}

function posenetDecode(hm, off, gh, gw) {
  const kp = [];
  for (let k = 0; k < 17; k++) {
    let best = -Infinity, by = 0, bx = 0;
    for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) {
      const v = hm[(y * gw + x) * 17 + k];
      if (v > best) { best = v; by = y; bx = x; }
    }
    const o = (by * gw + bx) * 34;
    kp.push({ x: bx * 16 + off[o + 17 + k], y: by * 16 + off[o + k], score: 1 / (1 + Math.exp(-best)) });
  }
  return kp;
}

async function loadModel(file) {
  const j = JSON.parse(fs.readFileSync(file));
  const dir = path.dirname(file), specs = [], bufs = [];
  for (const g of j.weightsManifest) {
    specs.push(...g.weights);
    for (const p of g.paths) bufs.push(fs.readFileSync(path.join(dir, p)));
  }
  const wd = Buffer.concat(bufs);
  return tfc.loadGraphModel(tf.io.fromMemory({
    modelTopology: j.modelTopology, weightSpecs: specs,
    weightData: wd.buffer.slice(wd.byteOffset, wd.byteOffset + wd.length), format: j.format,
  }));
}

(async () => {
  await tf.setBackend('cpu');
  const assets = process.argv[2] || process.env.KOCRUIT_ASSETS ||
    path.join(process.env.HOME, '.cache/kocruit/assets');
  for (const m of MODELS) {
    const model = await loadModel(path.join(assets, 'models/tfjs', m.name + '.json'));
    const ref = { model: `models/tfjs/${m.name}.json`, input: [1, m.h, m.w, m.c], range: m.range,
      generator: `TensorFlow.js ${tf.version_core} cpu backend (make_refs.js)`, cases: {} };
    for (const kind of ['hash', 'smooth']) {
      const x = tf.tensor(makeInput(m, kind), [1, m.h, m.w, m.c]);
      let ys = model.execute(x, m.outputs);
      if (!Array.isArray(ys)) ys = [ys];
      const outs = {}, data = {};
      for (let k = 0; k < ys.length; k++) {
        data[m.outputs[k]] = await ys[k].data();
        outs[m.outputs[k]] = summarise(data[m.outputs[k]], ys[k].shape);
      }
      const cas = { outputs: outs };
      if (m.name === 'posenet') {
        const s = ys[0].shape;
        cas.keypoints = posenetDecode(data[m.outputs[0]], data[m.outputs[1]], s[1], s[2]);
      }
      ref.cases[kind] = cas;
      tf.dispose([x, ...ys]);
    }
    const out = path.join(__dirname, m.name + '.json');
    fs.writeFileSync(out, JSON.stringify(ref, null, 1) + '\n');
    console.log('wrote', out);
  }
})();
