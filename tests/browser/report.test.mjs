/*
 * report.test.mjs — the analysis report view on a real report: a clip made here (the
 * astronaut photo from shared/testdata + espeak-ng English speech with filler words,
 * composed by ffmpeg into webm) is analysed by the video service's own CLI
 * (`kocruit-video analyze --json`), and reportView() renders that document in the page.
 * Checks: every behavioural metric says "not scored" with its definition on hover, the
 * timelines are drawn, filler words are marked when the ASR found them, the per-question
 * breakdown has a row per question, no emotion timeline with the policy off, and with it on
 * (a second analysis with --emotion) one line per class. Skipped (with the reason) when the
 * CLI or the tools are not there.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launch, newPage, goto, shot, assertClean } from './lib.mjs';

const cli = path.join(process.env.KC_BUILD_DIR || '', 'video-analysis', 'kocruit-video');
const face = path.join(process.env.KC_SHARED_DIR || path.resolve(process.env.KC_SOURCE_DIR || '../..', '..', 'shared'), 'testdata', 'astronaut.png');
const which = (b) => { try { execFileSync('sh', ['-c', `command -v ${b}`]); return true; } catch { return false; } };
const missing = [!fs.existsSync(cli) && cli, !fs.existsSync(face) && face, !which('ffmpeg') && 'ffmpeg', !which('espeak-ng') && 'espeak-ng'].filter(Boolean);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('report view renders a real analysis document', { skip: missing.length ? `missing: ${missing.join(', ')}` : false, timeout: 240000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-report-'));
  const wav = path.join(dir, 'speech.wav'), webm = path.join(dir, 'answer.webm');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', wav, 'Um, I built a payment server in C. Uh, it handled, like, ten thousand requests a second. I measured it carefully and I fixed the slowest path first.']);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-loop', '1', '-i', face, '-i', wav, '-vf', 'scale=480:360', '-r', '15', '-c:v', 'libvpx', '-b:v', '400k', '-c:a', 'libopus', '-shortest', webm]);
  const qfile = path.join(dir, 'questions.json');
  fs.writeFileSync(qfile, JSON.stringify({ questions: [{ id: 'q1', start: 0, end: 5 }, { id: 'q2', start: 5, end: 11 }] }));
  const analyse = (...extra) => JSON.parse(execFileSync(cli, ['analyze', webm, '--json', '--language', 'en', '--questions', qfile, ...extra],
    { env: { ...process.env }, maxBuffer: 64 << 20 }).toString());
  const report = analyse();
  const withEmotion = analyse('--emotion', '--jurisdiction', 'KR');
  fs.rmSync(dir, { recursive: true });
  assert.equal(report.status, 'done');
  const page = await newPage(browser);
  await goto(page, '/');
  const info = await page.evaluate(async (r) => {
    const m = await import('/assets/screen-report.js');
    const main = document.querySelector('main');
    main.replaceChildren(Object.assign(document.createElement('h1'), { textContent: 'reportView' }), m.reportView(r));
    return { notScored: [...main.querySelectorAll('.metric .badge')].filter((b) => b.textContent === '평가에 반영되지 않음').length,
      metrics: main.querySelectorAll('.metric').length, charts: main.querySelectorAll('svg.chart').length,
      fillers: main.querySelectorAll('mark.filler').length, titles: [...main.querySelectorAll('.metric')].filter((x) => x.title.includes('\n')).length };
  }, report);
  const names = Object.keys(report.metrics);
  assert.equal(info.metrics, names.filter((n) => /^(face|eye|blink|smile|head|nods|shoulder|lean|movement|speaking|speech|pause|loudness|pitch|filler)/.test(n)).length);
  assert.equal(info.notScored, info.metrics, 'every behavioural metric is labelled not scored');
  assert.equal(info.titles, info.metrics, 'every metric has its definition and samples on hover');
  assert.ok(info.charts >= 3, `timelines drawn (${info.charts})`);
  if (report.transcript && report.transcript.status === 'ok' && (report.transcript.fillers || []).length) assert.ok(info.fillers >= 1, 'filler words are marked');
  assert.equal(await page.getByText('표정 분류 (회사 정책으로 활성화됨)').count(), 0, 'no emotion timeline with the policy off');
  assert.equal(await page.locator('.report tbody tr').count(), 2, 'per-question breakdown');
  await shot(page, '34-report-view-real-analysis');

  // with the company's emotion policy on, the report carries the emotion timeline and the
  // view draws it, marked not scored; without it in the report there is none (above)
  const emo = withEmotion.timelines && withEmotion.timelines.emotion;
  if (emo && emo.labels) {
    const drawn = await page.evaluate(async (r) => {
      const m = await import('/assets/screen-report.js');
      const main = document.querySelector('main');
      main.replaceChildren(m.reportView(r));
      return main.querySelectorAll('.emotion svg.chart path').length;
    }, withEmotion);
    assert.equal(drawn, emo.labels.length, 'one line per emotion class');
    await page.locator('.emotion').scrollIntoViewIfNeeded();
    await shot(page, '37-report-view-emotion-policy-on');
  }
  await assertClean(page);
});
