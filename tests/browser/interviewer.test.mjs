/*
 * interviewer.test.mjs — an interviewer joins by invitation, is assigned to the practical
 * stage by the recruiter (through the panels tab), accepts the panel, evaluates an
 * applicant per criterion in the workspace and submits; a second interviewer submits
 * through the API; the recruiter then sees the aggregate (mean, min, max, spread) and no
 * one is missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, goto, heading, shot, assertClean, call, unique, PASSWORD, companyWithJob, applicantWithApplication } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

async function invite(rec, email) {
  const inv = await call('POST', `/api/v1/companies/${rec.cid}/invitations`, rec.token, { email, role: 'interviewer' });
  return inv.token;
}

test('interviewer: accept invitation and panel, evaluate, recruiter sees the aggregate', async () => {
  const rec = await companyWithJob('실무 면접 흐름 (C)');
  const jobId = rec.job.id;
  // interviewer 1 joins through the UI
  const i1mail = unique('int1');
  const page = await newPage(browser);
  await goto(page, `/invite?token=${encodeURIComponent(await invite(rec, i1mail))}`);
  await page.getByLabel('이름', { exact: true }).fill('면접관 한');
  await page.getByLabel('비밀번호').fill(PASSWORD);
  await page.getByRole('button', { name: '합류하기' }).click();
  await heading(page, /면접 배정/);
  // interviewer 2 joins through the API
  const i2 = await call('POST', '/api/v1/invitations/accept', null, { token: await invite(rec, unique('int2')), name: '면접관 두', password: PASSWORD });

  // the recruiter assigns both to the practical stage in the panels tab
  const rpage = await newPage(browser);
  await goto(rpage, '/login');
  await rpage.getByLabel('이메일', { exact: true }).fill(rec.email);
  await rpage.getByLabel('비밀번호').fill(PASSWORD);
  await rpage.getByRole('button', { name: '로그인' }).click();
  await heading(rpage, /채용 관리/);
  await goto(rpage, `/recruit/jobs/${jobId}?view=panels`);
  for (const who of ['면접관 한', '면접관 두']) {
    await rpage.getByLabel('구성원').selectOption({ label: `${who} (면접관)` });
    await rpage.getByLabel('단계', { exact: true }).selectOption('practical');
    await rpage.getByRole('button', { name: '배정' }).click();
    await rpage.locator('.list li').filter({ hasText: who }).waitFor();
  }
  await shot(rpage, '20-panels');
  const panels = await call('GET', `/api/v1/jobs/${jobId}/panels`, rec.token);
  assert.equal(panels.items.length, 2);
  await call('POST', `/api/v1/panels/${panels.items.find((p) => p.name === '면접관 두').id}/respond`, i2.access_token, { accept: true });

  // an applicant passes the document stage
  const ap = await applicantWithApplication(jobId, '정지원');
  await call('POST', `/api/v1/applications/${ap.app.id}/decision`, rec.token, { decision: 'pass', stage: 'document', reason: '서류 통과' });

  // interviewer 1 accepts the panel and evaluates
  await page.reload();
  await heading(page, /면접 배정/);
  await page.getByRole('button', { name: '수락' }).click();
  await page.getByRole('link', { name: '평가하기' }).waitFor();
  await shot(page, '21-interviewer-panels');
  await page.getByRole('link', { name: '평가하기' }).click();
  await heading(page, '정지원');
  await page.getByText('C로 만든 프로젝트를 소개해 주세요.').waitFor();
  await page.getByLabel(/^C 언어/).fill('80');
  await page.getByLabel(/^협업/).fill('70');
  await page.getByLabel('메모 / 의견').fill('설계 설명이 명확함');
  await page.getByRole('button', { name: '평가 제출' }).click();
  await page.getByText(/제출함 · 가중 종합 76/).waitFor();
  await page.getByRole('heading', { name: '패널 집계' }).waitFor();
  // having submitted, the interviewer sees the panel's aggregate (not the colleagues' scores)
  await page.locator('.aggregate').waitFor();
  await shot(page, '22-interviewer-workspace');
  await assertClean(page);

  // interviewer 2 through the API; the recruiter sees the aggregate
  await call('PUT', `/api/v1/applications/${ap.app.id}/stages/practical/evaluation`, i2.access_token, { scores: { 'C 언어': 90, 협업: 60 }, comment: 'API' });
  await goto(rpage, `/recruit/applications/${ap.app.id}`);
  await heading(rpage, '정지원');
  const agg = rpage.locator('.aggregate');
  await agg.waitFor();
  assert.match(await agg.locator('.metric').first().textContent(), /평균\s*77/);
  assert.match(await agg.textContent(), /면접관 한/);
  assert.equal(await rpage.getByText(/아직 제출하지 않은 면접관/).count(), 0);
  await shot(rpage, '23-recruiter-aggregate');
  await assertClean(rpage);
});
