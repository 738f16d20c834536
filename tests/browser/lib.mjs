/*
 * lib.mjs — shared helpers of the browser tests.
 *
 * The runner (./run) starts redis-server and kocruit-backend on free ports and passes
 * KC_BASE_URL (backend serving the UI and the API) and KC_ARTIFACTS (screenshots folder).
 * Chromium is Debian's /usr/bin/chromium (never downloaded), with the flags from
 * shared/STACK-NOTES.md plus the fake camera/microphone for the interview page.
 *
 * Console policy: every page records 'console' errors and 'pageerror' events; each test
 * ends with assertClean(), which fails on any of them and on any form control of the final
 * screen without an accessible name. A step that provokes an error on
 * purpose (a wrong password to check that the server's message is shown) wraps itself in
 * expectHttpError(page, status, fn): exactly Chromium's "Failed to load resource … status
 * of <status>" line is then expected and consumed, nothing else.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.KC_BASE_URL;
export const ARTIFACTS = process.env.KC_ARTIFACTS || path.resolve('browser-artifacts');
export const PASSWORD = 'correct horse battery staple';
if (!BASE) throw new Error('KC_BASE_URL is not set: run the tests through tests/browser/run');
fs.mkdirSync(ARTIFACTS, { recursive: true });

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

export async function launch() {
  return chromium.launch({ executablePath: process.env.KC_CHROMIUM || '/usr/bin/chromium', args: ARGS, headless: true });
}

/* A fresh context (own localStorage) and page with the error collectors attached. */
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({ viewport: opts.viewport || { width: 1280, height: 860 }, locale: opts.locale || 'ko-KR', permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.push(`console.error: ${m.text()}`);
    // tokens must never reach the console, whatever the level
    if (/eyJ[A-Za-z0-9_-]{8,}\.|refresh_token|access_token/.test(m.text())) page.problems.push(`token in console.${m.type()}`);
  });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.httpErrors = [];
  page.on('response', (r) => { if (r.status() >= 400) page.httpErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  page.on('requestfailed', (r) => page.problems.push(`requestfailed: ${r.method()} ${r.url()} ${r.failure() ? r.failure().errorText : ''}`));
  page.setDefaultTimeout(15000);
  return page;
}

export async function expectHttpError(page, status, fn) {
  const before = page.problems.length;
  await fn();
  await page.waitForTimeout(100);
  const added = page.problems.splice(before);
  const expected = added.filter((p) => p.includes(`status of ${status}`));
  assert.ok(expected.length >= 1, `expected an HTTP ${status} during this step, saw: ${JSON.stringify(added)}`);
  page.problems.push(...added.filter((p) => !p.includes(`status of ${status}`)));
}

export async function assertClean(page) {
  assert.deepEqual(page.problems, [], `console errors or page errors (HTTP errors seen: ${JSON.stringify(page.httpErrors)})`);
  // every form control on the final screen has an accessible name
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !(el.tagName === 'BUTTON' && el.textContent.trim()))
    .map((el) => el.outerHTML.slice(0, 120)));
  assert.deepEqual(unlabelled, [], 'form controls without a label');
}

export async function shot(page, name) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export async function goto(page, hash) {
  await page.goto(`${BASE}/#${hash}`);
  await page.waitForSelector('main .view, main > .state-error');
  const err = await page.locator('main > .state-error').count();
  if (err) throw new Error(`#${hash} failed: ${await page.locator('main > .state-error').textContent()} ${JSON.stringify(page.problems)}`);
}

/* Wait until the router rendered a view whose h1 matches. */
export async function heading(page, re) {
  await page.locator('main h1').filter({ hasText: re }).first().waitFor();
}

/* Direct API calls from node to prepare data the test is not about. */
export async function call(method, p, token, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  const res = await fetch(BASE + p, { method, headers, body: payload });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return data;
}

let seq = 0;
export const unique = (prefix) => `${prefix}${Date.now().toString(36)}${++seq}@example.com`;

export async function companyWithJob(title, extra = {}) {
  const email = unique('hr');
  const s = await call('POST', '/api/v1/auth/signup-company', null, { company_name: `테스트 주식회사 ${seq}`, email, password: PASSWORD, name: '채용 담당 김' });
  const cid = s.user.memberships[0].company_id;
  const now = Date.now();
  const job = await call('POST', '/api/v1/jobs', s.access_token, {
    company_id: cid, title, description: 'C 언어로 고성능 서버를 개발합니다.', qualifications: 'C, Linux, 네트워크 프로그래밍',
    conditions: '정규직', location: '서울 강남구', employment_type: 'full_time', headcount: 2,
    opens_at: new Date(now - 86400e3).toISOString(), closes_at: new Date(now + 30 * 86400e3).toISOString(),
    stages: extra.stages || [{ name: 'document', pass_threshold: 60 }, { name: 'practical' }, { name: 'final' }],
    criteria: [{ name: 'C 언어', weight: 0.6, keywords: ['C', 'Linux'] }, { name: '협업', weight: 0.4, keywords: ['협업', 'Git', '코드 리뷰'] }],
    questions: extra.questions || [{ text: 'C로 만든 프로젝트를 소개해 주세요.', time_limit_s: 60 }],
  });
  return { token: s.access_token, cid, job, email, user: s.user };
}

export const RESUME_TEXT = [
  '김지원 (Kim Jiwon)', 'jiwon@example.com', '', '학력', '한국대학교 컴퓨터공학과 2014.03 ~ 2018.02', '',
  '경력 사항', '(주)네트웍스 백엔드 개발자 2018.03 ~ 2022.08', '- C 언어로 결제 서버 개발', '', 'Skills', 'C, Linux, PostgreSQL, Redis', '',
  '자격증', '정보처리기사 2017.11', ''].join('\n');

/* Wait until the agent screened every application of a job (when the agent runs). */
export async function waitScreened(jobId, token, n, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await call('GET', `/api/v1/jobs/${jobId}/ranking`, token);
    if (r.items.length >= n && r.items.every((x) => x.screening_status)) return r;
    if (Date.now() > end) throw new Error(`screening not finished: ${JSON.stringify(r.items.map((x) => x.screening_status))}`);
    await new Promise((res) => setTimeout(res, 300));
  }
}

export const agentUp = () => (process.env.KC_SERVICES || '').split(' ').includes('agent');

export async function applicantWithApplication(jobId, name, resumeText) {
  const email = unique('ap');
  const s = await call('POST', '/api/v1/auth/signup', null, { email, password: PASSWORD, name });
  const fd = new FormData();
  fd.append('file', new Blob([(resumeText || RESUME_TEXT).replace('김지원', name)], { type: 'text/plain' }), 'resume.txt');
  const r = await call('POST', '/api/v1/resumes', s.access_token, fd);
  const a = await call('POST', `/api/v1/jobs/${jobId}/applications`, s.access_token, { resume_id: r.id });
  return { token: s.access_token, app: a, user: s.user, email };
}

/* Sign in through the UI form. */
export async function uiLogin(page, email) {
  await goto(page, '/login');
  await page.getByLabel('이메일', { exact: true }).fill(email);
  await page.getByLabel('비밀번호').fill(PASSWORD);
  await page.getByRole('button', { name: '로그인' }).last().click();
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
}
