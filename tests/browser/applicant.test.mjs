/*
 * applicant.test.mjs — an applicant from sign-up to "applied", through the UI only: browse
 * and search jobs, sign up, upload a resume, correct a parsed field, apply, and see the
 * application with its stage history. Also: the server's error message and field are shown
 * (duplicate e-mail), the language switch, the phone layout and the skip link.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, newPage, goto, heading, shot, assertClean, expectHttpError, companyWithJob, call, unique, PASSWORD, RESUME_TEXT } from './lib.mjs';

let browser, rec;
before(async () => {
  browser = await launch();
  rec = await companyWithJob('백엔드 개발자 (C) 지원 흐름');
});
after(async () => { await browser.close(); });

test('applicant: search, sign up, upload resume, correct it, apply, see status', async () => {
  const page = await newPage(browser);
  await goto(page, '/');
  await heading(page, /채용공고/);
  await page.getByLabel('검색어').fill('지원 흐름');
  await page.getByRole('button', { name: '검색' }).click();
  const card = page.getByRole('link', { name: rec.job.title });
  await card.waitFor();
  await shot(page, '01-jobs');
  await card.click();
  await heading(page, rec.job.title);
  await shot(page, '02-job-detail');
  await page.getByRole('main').getByRole('link', { name: '회원가입' }).click();
  await heading(page, /회원가입/);

  const email = unique('applicant');
  await page.getByLabel('이름', { exact: true }).fill('김지원');
  await page.getByLabel('이메일', { exact: true }).fill(email);
  await page.getByLabel('비밀번호').fill(PASSWORD);
  await page.getByRole('button', { name: '가입하기' }).click();
  await heading(page, rec.job.title);
  await page.getByRole('link', { name: '이력서 올리기' }).click();
  await heading(page, /내 이력서/);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-resume-'));
  const file = path.join(dir, 'resume.txt');
  fs.writeFileSync(file, RESUME_TEXT);
  await page.getByLabel('파일 (PDF, 텍스트, JSON)').setInputFiles(file);
  await page.getByRole('button', { name: '이력서 올리기' }).click();
  await heading(page, /이력서 확인/);
  fs.rmSync(dir, { recursive: true });
  const title = page.locator('[data-path="sections.experience[0].title"]');
  assert.match(await title.inputValue(), /네트웍스 백엔드 개발자/);
  // a bad date is refused by the server, which names the field: it is highlighted
  const start = page.locator('[data-path="sections.experience[0].start"]');
  await start.fill('2018-13');
  await expectHttpError(page, 400, async () => {
    await page.getByRole('button', { name: '확인 완료로 저장' }).click();
    await page.locator('[data-path="sections.experience[0].start"][aria-invalid="true"]').waitFor();
  });
  assert.match(await page.locator('.form-error').textContent(), /sections\.experience\[0\]\.start/);
  await shot(page, '03-resume-error');
  await start.fill('2018-03');
  await title.fill('(주)네트웍스 시니어 백엔드 개발자');
  await page.getByRole('button', { name: '확인 완료로 저장' }).click();
  await heading(page, rec.job.title);

  await page.getByRole('button', { name: '지원서 제출' }).click();
  await heading(page, rec.job.title);
  await page.getByText('지원이 완료되었습니다.').first().waitFor();
  await page.getByRole('list', { name: '전형 진행' }).waitFor();
  assert.equal(await page.locator('.stages li').count(), 3);
  assert.match(await page.locator('.stages li.current').textContent(), /서류.*진행 중/);
  await shot(page, '04-application-status');

  await page.getByRole('navigation').getByRole('link', { name: '내 지원', exact: true }).click();
  await heading(page, /내 지원 현황/);
  await page.getByRole('cell', { name: rec.job.title }).waitFor();
  await shot(page, '05-my-applications');

  // the corrected resume reached the server
  const token = await page.evaluate(() => localStorage.getItem('kocruit.refresh'));
  assert.ok(token && token.length > 20, 'refresh token kept for the session');
  const apps = await call('GET', `/api/v1/jobs/${rec.job.id}/applications`, rec.token);
  assert.equal(apps.items.length, 1);
  const resume = await call('GET', `/api/v1/resumes/${apps.items[0].resume_id}`, rec.token);
  assert.equal(resume.sections.experience[0].title, '(주)네트웍스 시니어 백엔드 개발자');
  await assertClean(page);
});

test('sign-up shows the server error on its field; English switch; phone layout', async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await goto(page, '/signup');
  await page.getByLabel('이름', { exact: true }).fill('중복');
  await page.getByLabel('이메일', { exact: true }).fill(rec.email);
  await page.getByLabel('비밀번호').fill(PASSWORD);
  await expectHttpError(page, 409, async () => {
    await page.getByRole('button', { name: '가입하기' }).click();
    await page.locator('input[name="email"][aria-invalid="true"]').waitFor();
  });
  assert.match(await page.getByRole('alert').first().textContent(), /email/);
  await shot(page, '06-signup-error-phone');
  // password reset: the request is acknowledged; a wrong code is refused on its field
  await goto(page, '/reset');
  await page.getByLabel('이메일', { exact: true }).fill(rec.email);
  await page.getByRole('button', { name: '재설정 코드 받기' }).click();
  await page.getByText('계정이 있으면 재설정 코드를 보냈습니다.').waitFor();
  await page.getByLabel('재설정 코드').fill('not-a-real-code');
  await page.getByLabel('새 비밀번호').fill(PASSWORD);
  await expectHttpError(page, 400, async () => {
    await page.getByRole('button', { name: '비밀번호 변경' }).click();
    await page.locator('input[name="token"][aria-invalid="true"]').waitFor();
  });
  await goto(page, '/signup');
  await page.getByLabel('언어').selectOption('en');
  await page.getByRole('heading', { name: 'Create an applicant account' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('link', { name: 'Jobs' }).click();
  await page.getByRole('heading', { name: 'Open positions' }).waitFor();
  await shot(page, '07-jobs-phone-en');
  // keyboard: the skip link is the first focusable element; Enter on it focuses the content
  assert.equal(await page.evaluate(() => document.querySelector('a[href], button, input, select, textarea').className), 'skip');
  await page.locator('.skip').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'app');
  await assertClean(page);
});
