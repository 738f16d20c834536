/*
 * recruiter.test.mjs — a recruiter from company sign-up to passing and failing applicants,
 * through the UI: register the company, invite a colleague, create a job in the editor
 * (stages with a threshold, weighted criteria, a timed question), see the applicants
 * (made through the API), pass one and fail one from the pipeline board (a reason is
 * required), hold two in bulk, read the application page with memo, and the statistics.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, goto, heading, shot, assertClean, expectHttpError, call, unique, PASSWORD, applicantWithApplication, waitScreened, agentUp } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

async function decide(page, name, action, reason) {
  const ticket = page.locator('.ticket').filter({ hasText: name });
  await ticket.getByRole('button', { name: `${action}: ${name}`, exact: true }).click();
  const dlg = page.getByRole('dialog');
  await dlg.waitFor();
  await dlg.getByLabel('사유').fill(reason);
  await dlg.getByRole('button', { name: '결정 저장' }).click();
  await dlg.waitFor({ state: 'detached' });
  await page.locator('.board').waitFor();
}

test('recruiter: company, job editor, pass and fail applicants, bulk hold, stats', async () => {
  const page = await newPage(browser);
  const email = unique('boss');
  await goto(page, '/signup-company');
  await page.getByLabel('회사 이름').fill('코크루트 테스트');
  await page.getByLabel('이름', { exact: true }).fill('박채용');
  await page.getByLabel('이메일', { exact: true }).fill(email);
  await page.getByLabel('비밀번호').fill(PASSWORD);
  await page.getByRole('button', { name: '회사 만들기' }).click();
  await heading(page, /채용 관리/);

  // company: invite a colleague; the one-time join link is shown
  await page.getByRole('navigation').getByRole('link', { name: '회사' }).click();
  await heading(page, /코크루트 테스트/);
  await page.getByLabel('이메일', { exact: true }).fill(unique('colleague'));
  await page.getByLabel('역할', { exact: true }).selectOption('recruiter');
  await page.getByRole('button', { name: '초대 보내기' }).click();
  assert.match(await page.locator('#inv-link').inputValue(), /#\/invite\?token=/);
  await shot(page, '10-company');

  // job editor
  await page.getByRole('navigation').getByRole('link', { name: '채용 관리' }).click();
  await page.getByRole('link', { name: '+ 새 공고' }).click();
  await heading(page, /새 공고/);
  await page.getByLabel('공고 제목').fill('임베디드 C 개발자');
  await page.getByLabel('채용 인원').fill('3');
  await page.getByLabel('근무지').fill('판교');
  await page.getByLabel('업무 소개').fill('리눅스 기반 장비의 C 펌웨어를 개발합니다.');
  await page.getByRole('checkbox', { name: 'AI 면접' }).uncheck();
  await page.getByRole('button', { name: '+ 기준 추가' }).click();
  await page.getByLabel('기준 이름').fill('C 언어');
  await page.getByLabel('가중치').fill('0.7');
  await page.getByLabel('키워드').fill('C, Linux, RTOS');
  await page.getByRole('button', { name: '+ 기준 추가' }).click();
  await page.getByLabel('기준 이름').nth(1).fill('협업');
  await page.getByLabel('가중치').nth(1).fill('1.5');
  await page.getByLabel('키워드').nth(1).fill('협업, Git, 코드 리뷰');
  await page.getByRole('button', { name: '+ 질문 추가' }).click();
  await page.getByLabel('질문', { exact: true }).fill('가장 어려웠던 디버깅 경험을 말해 주세요.');
  await page.getByLabel('제한 시간(초)').fill('90');
  // weight 1.5 is refused by the server and that box is highlighted
  await expectHttpError(page, 400, async () => {
    await page.getByRole('button', { name: '공고 등록' }).click();
    await page.locator('[data-path="criteria[1].weight"][aria-invalid="true"]').waitFor();
  });
  await shot(page, '11-job-editor-error');
  await page.getByLabel('가중치').nth(1).fill('0.3');
  await page.getByRole('button', { name: '공고 등록' }).click();
  await heading(page, '임베디드 C 개발자');
  const jobId = Number(page.url().match(/jobs\/(\d+)/)[1]);
  const me = await call('POST', '/api/v1/auth/login', null, { email, password: PASSWORD });
  const job = await call('GET', `/api/v1/jobs/${jobId}/manage`, me.access_token);
  assert.deepEqual(job.stages.map((s) => s.name), ['document', 'practical', 'final']);
  assert.equal(job.criteria[0].weight, 0.7);
  assert.deepEqual(job.criteria[0].keywords, ['C', 'Linux', 'RTOS']);
  assert.equal(job.questions[0].time_limit_s, 90);

  // four applicants apply (API), then the ranked list and the board
  const names = ['이하나', '김두리', '박세나', '최네오'];
  const weak = '최네오\n\n경력\n카페 매니저 2019.01 ~ 2023.12\n- 매장 운영\n\nSkills\nExcel\n';
  for (const n of names) await applicantWithApplication(jobId, n, n === '최네오' ? weak : undefined);
  if (agentUp()) {
    const r = await waitScreened(jobId, me.access_token, 4);
    const totals = Object.fromEntries(r.items.map((x) => [x.applicant_name, x.total]));
    assert.ok(totals['최네오'] < totals['이하나'], `the unfitting resume ranks lower: ${JSON.stringify(totals)}`);
  }
  await page.reload();
  await page.getByRole('cell', { name: '이하나' }).waitFor();
  assert.equal(await page.locator('tbody tr').count(), 4);
  if (agentUp()) assert.match(await page.locator('tbody tr').last().textContent(), /최네오/, 'ranked by screening score');
  await shot(page, '12-ranked-applicants');
  await page.getByRole('link', { name: '파이프라인' }).click();
  await page.locator('.board').waitFor();
  await decide(page, '이하나', '합격', '자격 요건 충족: C 경력 4년');
  await decide(page, '김두리', '불합격', '필수 요건(C) 경력 부족');
  // bulk: hold the other two
  for (const n of ['박세나', '최네오']) await page.getByRole('checkbox', { name: `${n} 선택` }).check();
  await page.locator('.bulkbar').getByRole('button', { name: '보류', exact: true }).click();
  const dlg = page.getByRole('dialog');
  await dlg.getByRole('button', { name: '결정 저장' }).click();
  await dlg.getByText('사유를 입력하세요.').first().waitFor(); // a reason is required
  await dlg.getByLabel('사유').fill('추가 포트폴리오 확인 후 결정');
  await dlg.getByRole('button', { name: '결정 저장' }).click();
  await dlg.waitFor({ state: 'detached' });
  await page.locator('[data-stage="practical"] .ticket').filter({ hasText: '이하나' }).waitFor();
  await page.locator('[data-stage="rejected"] .ticket').filter({ hasText: '김두리' }).waitFor();
  await shot(page, '13-pipeline-board');

  const after = await call('GET', `/api/v1/jobs/${jobId}/applications`, me.access_token);
  const status = Object.fromEntries(after.items.map((a) => [a.applicant_name, `${a.status}/${a.current_stage}`]));
  assert.deepEqual(status, { 이하나: 'in_progress/practical', 김두리: 'rejected/document', 박세나: 'on_hold/document', 최네오: 'on_hold/document' });

  // application page: history with reasons, memo, blind mode
  await page.locator('[data-stage="practical"] .ticket a').filter({ hasText: '이하나' }).click();
  await heading(page, '이하나');
  await page.getByRole('cell', { name: '자격 요건 충족: C 경력 4년' }).waitFor();
  await page.getByLabel('새 메모').fill('코딩 테스트 결과 우수');
  await page.getByRole('button', { name: '메모 추가' }).click();
  await page.getByText('코딩 테스트 결과 우수').first().waitFor();
  if (agentUp()) {
    await page.locator('.screening .criterion').first().waitFor();
    await page.getByRole('button', { name: '하이라이트·유사 이력서 확인' }).click();
    await page.getByRole('heading', { name: '이력서 하이라이트' }).waitFor();
  }
  await shot(page, '14-application');
  await page.getByLabel('블라인드 평가').check();
  await heading(page, /지원자 #/);
  assert.equal(await page.getByText('이하나').count(), 0, 'blind mode hides the name');
  await page.getByLabel('블라인드 평가').uncheck();
  await heading(page, '이하나');

  // a job set to blind review hides identities on its screens (when the server offers it)
  const doc = await (await fetch(`${process.env.KC_BASE_URL}/api/v1/openapi.json`)).json();
  if (doc.paths['/api/v1/jobs/{id}/trust']) {
    await goto(page, `/recruit/jobs/${jobId}/edit`);
    await page.getByLabel('블라인드 평가 (이름·얼굴 숨김)').check();
    await page.getByLabel('AI 없는 면접 대안 제공').check();
    await page.getByRole('button', { name: '저장' }).click();
    await page.locator('.form-error.shown, .tabs').first().waitFor();
    if (await page.locator('.form-error.shown').count()) assert.fail(`job save refused: ${await page.locator('.form-error.shown').textContent()}`);
    const tr = await call('GET', `/api/v1/jobs/${jobId}/trust`, me.access_token);
    assert.deepEqual([tr.blind_review, tr.offers_non_ai], [true, true]);
    await page.getByRole('link', { name: '파이프라인' }).click();
    await page.locator('.board').waitFor();
    assert.equal(await page.getByText('이하나').count(), 0, 'blind job: no names on the board');
    assert.ok(await page.locator('#blind-toggle').isDisabled());
    await shot(page, '16-board-blind-job');
  }

  // statistics
  await goto(page, `/recruit/jobs/${jobId}/stats`);
  await heading(page, /통계/);
  await page.locator('svg.chart').first().waitFor();
  await shot(page, '15-stats');
  // the same screens on a phone
  await page.setViewportSize({ width: 390, height: 844 });
  await goto(page, `/recruit/jobs/${jobId}?view=board`);
  await page.locator('.board').waitFor();
  await shot(page, '17-board-phone');
  await assertClean(page);
});
