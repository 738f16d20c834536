/*
 * routes.test.mjs — static checks of the web UI against the running backend:
 *  - every "/api/v1/…" path literal in frontend/ is declared in api.js (ROUTES or OPTIONAL),
 *    so this scan sees every path the UI can call;
 *  - every ROUTES entry (called unconditionally) is in GET /api/v1/openapi.json with its method;
 *  - OPTIONAL routes are called only after hasFeature() found them in the OpenAPI document:
 *    each belongs to a PENDING feature, and every module that uses OPTIONAL checks hasFeature;
 *    the features this server lacks are printed;
 *  - every module parses, and ko.json / en.json have the same keys, covering every t('…').
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { BASE } from './lib.mjs';

const FRONT = path.resolve(process.env.KC_SOURCE_DIR || '../..', 'frontend');
const ASSETS = path.join(FRONT, 'assets');
const sources = () => [path.join(FRONT, 'index.html'), ...fs.readdirSync(ASSETS).filter((f) => f.endsWith('.js')).map((f) => path.join(ASSETS, f))];
const api = await import(path.join(ASSETS, 'api.js'));
const doc = await (await fetch(`${BASE}/api/v1/openapi.json`)).json();
const offered = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
const key = ([m, p]) => `${m} ${p}`;

test('every /api/v1 path in the frontend sources is declared in api.js', () => {
  const declared = new Set([...Object.values(api.ROUTES), ...Object.values(api.OPTIONAL)].map(([, p]) => p));
  const found = new Set();
  for (const f of sources()) for (const m of fs.readFileSync(f, 'utf8').matchAll(/\/api\/v1\/[A-Za-z{][A-Za-z0-9_{}./-]*/g)) found.add(m[0]);
  assert.ok(found.size >= 40, `scan found only ${found.size} paths`);
  const stray = [...found].filter((p) => !declared.has(p));
  assert.deepEqual(stray, [], 'paths used outside the route table of api.js');
});

test('every route the UI always calls exists in the OpenAPI document', () => {
  const missing = Object.entries(api.ROUTES).filter(([, r]) => !offered.has(key(r))).map(([n, r]) => `${n}: ${key(r)}`);
  assert.deepEqual(missing, []);
});

test('optional routes are gated by hasFeature against the OpenAPI document', (t) => {
  const inFeature = new Set(Object.values(api.PENDING).flatMap((f) => f.routes.map(key)));
  const orphans = Object.entries(api.OPTIONAL).filter(([, r]) => !inFeature.has(key(r))).map(([n]) => n);
  assert.deepEqual(orphans, [], 'OPTIONAL routes outside any PENDING feature');
  for (const f of sources()) {
    const s = fs.readFileSync(f, 'utf8');
    if (/OPTIONAL\.\w+/.test(s) && !f.endsWith('api.js')) assert.match(s, /hasFeature\(/, `${path.basename(f)} uses OPTIONAL without hasFeature`);
  }
  const lacking = Object.entries(api.PENDING).filter(([, f]) => !f.routes.every((r) => offered.has(key(r))));
  for (const [name, f] of lacking) t.diagnostic(`feature "${name}" not offered by this backend (missing: ${f.routes.filter((r) => !offered.has(key(r))).map(key).join(', ')}); its screens show "not available yet"`);
});

test('modules parse; translations complete', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-check-'));
  for (const f of sources().filter((x) => x.endsWith('.js'))) {
    const copy = path.join(tmp, path.basename(f, '.js') + '.mjs');
    fs.copyFileSync(f, copy);
    execFileSync(process.execPath, ['--check', copy]);
  }
  fs.rmSync(tmp, { recursive: true });
  const ko = JSON.parse(fs.readFileSync(path.join(ASSETS, 'ko.json'), 'utf8'));
  const en = JSON.parse(fs.readFileSync(path.join(ASSETS, 'en.json'), 'utf8'));
  assert.deepEqual(Object.keys(en).sort(), Object.keys(ko).sort(), 'ko.json and en.json differ in keys');
  const used = new Set();
  for (const f of sources()) for (const m of fs.readFileSync(f, 'utf8').matchAll(/\bt\('([a-zA-Z0-9_]+\.[a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
  assert.deepEqual([...used].filter((k) => !k.endsWith('.') && !(k in ko)), [], 'strings without a translation');
});
