/*
 * screen-panels.js — the interviewer's side: panel invitations (accept / decline) with the
 * applications waiting at each accepted panel's stage, and the workspace for one
 * application and stage: resume, the job's interview questions (and generated ones when
 * the backend offers them), one 0–100 score per criterion of the job plus a comment, submit,
 * then the submitted evaluation and the panel aggregate when the server shares it.
 */
import { api, ROUTES, hasFeature } from './api.js';
import { t, fmtDate, fmtNum } from './i18n.js';
import { h, field, errorBox, submitting, empty, unavailable, errorState, announce, badge } from './dom.js';
import { stageName, statusBadge } from './labels.js';
import { requireRole } from './app.js';
import { resumeView } from './screen-application.js';
import { aggregateView } from './aggregate-view.js';
import { displayName, blindToggle, applyJobBlind } from './blind.js';

export async function list(root, ctx) {
  if (!requireRole(ctx, ctx.roles.interviewer)) return;
  const data = await api(ROUTES.myPanels);
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('panels.title')), blindToggle(() => ctx.go('/panels'))));
  if (!data.items.length) { root.append(h('div', { class: 'card' }, empty(t('panels.noneMine')))); return; }
  for (const p of data.items) {
    const msg = h('div', { 'aria-live': 'polite' });
    const respond = (accept) => async (e) => {
      e.currentTarget.disabled = true;
      try { await api(ROUTES.panelRespond, { params: { id: p.id }, body: { accept } }); announce(t(accept ? 'panels.accepted' : 'panels.declined')); ctx.go('/panels'); } catch (err) { msg.replaceChildren(errorState(err)); }
    };
    const apps = p.applications || [];
    root.append(h('section', { class: 'card', dataset: { panel: p.id } },
      h('div', { class: 'page-head' }, h('div', {}, h('h2', {}, p.job_title), h('div', { class: 'meta' }, h('span', {}, stageName(p.stage)), statusBadge(p.status), h('span', {}, fmtDate(p.created_at)))),
        p.status === 'invited' ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn btn-primary', onclick: respond(true) }, t('panels.accept')),
          h('button', { type: 'button', class: 'btn', onclick: respond(false) }, t('panels.decline'))) : null),
      msg,
      p.status === 'accepted' ? (apps.length ? h('ul', { class: 'list' }, apps.map((a) => h('li', {}, h('span', { class: 'grow' }, displayName(a)), statusBadge(a.status),
        h('a', { class: 'btn btn-small', href: `#/panels/${a.id}/${p.stage}` }, t('panels.open'))))) : empty(t('panels.noApps'))) : null));
  }
}

function evaluationForm(v, stage, onSaved) {
  const criteria = v.criteria && v.criteria.length ? v.criteria : [{ name: 'overall', weight: 1 }];
  const mine = v.my_evaluation || null;
  const prev = mine ? (typeof mine.scores === 'string' ? JSON.parse(mine.scores) : mine.scores || {}) : {};
  const form = h('form', { novalidate: true }, errorBox(),
    criteria.map((c) => field({ name: `score.${c.name}`, path: `scores.${c.name}`, label: `${c.name === 'overall' ? t('eval.overall') : c.name} (${t('job.weight')} ${fmtNum(c.weight, 2)})`,
      type: 'number', min: 0, max: 100, step: 1, required: true, value: prev[c.name] ?? '', hint: (c.keywords || []).length ? t('eval.keywords', { list: c.keywords.join(', ') }) : null })),
    field({ name: 'comment', label: t('eval.comment'), type: 'textarea', rows: 4, value: mine ? mine.comment || '' : '', hint: t('eval.commentHint') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, mine ? t('eval.update') : t('eval.submit'))));
  submitting(form, async (fd) => {
    const scores = {};
    for (const c of criteria) {
      const raw = fd.get(`score.${c.name}`);
      if (raw === '' || raw === null) throw { field: `scores.${c.name}`, message: t('eval.scoreRequired', { name: c.name }) };
      scores[c.name] = Number(raw);
    }
    await api(ROUTES.evaluationPut, { params: { id: v.application.id, stage }, body: { scores, comment: fd.get('comment') || '' } });
    announce(t('eval.saved'));
    onSaved();
  });
  return form;
}

export async function workspace(root, ctx) {
  if (!requireRole(ctx, ctx.roles.interviewer)) return;
  const { id, stage } = ctx.params;
  const v = await api(ROUTES.stageView, { params: { id, stage } });
  const a = v.application;
  await applyJobBlind(a.job_id);
  const reload = () => ctx.go(`/panels/${id}/${stage}`);
  const safe = async (fn) => { try { return await fn(); } catch (err) { return errorState(err); } };
  const [resume, job, generated] = await Promise.all([
    safe(async () => resumeView(await api(ROUTES.resume, { params: { id: a.resume_id } }))),
    safe(() => api(ROUTES.jobManage, { params: { id: a.job_id } })),
    hasFeature('questions')]);
  const questions = job && job.questions ? job.questions : [];
  const mine = v.my_evaluation;
  const sum = v.evaluation_summary || (v.aggregate ? { aggregate: v.aggregate } : null);
  root.append(h('p', {}, h('a', { href: '#/panels' }, '← ' + t('panels.title'))),
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, displayName(a)), h('div', { class: 'meta' }, h('span', {}, a.job_title), h('span', {}, stageName(stage)), statusBadge(a.status))),
      blindToggle(reload)),
    h('div', { class: 'cols' },
      h('div', {},
        h('section', { class: 'card' }, h('h2', {}, t('eval.title')), mine ? h('p', { class: 'note', role: 'status' }, t('eval.submittedAt', { date: fmtDate(mine.submitted_at, true), total: fmtNum(mine.total) })) : null,
          evaluationForm(v, stage, reload)),
        mine ? h('section', { class: 'card' }, h('h2', {}, t('eval.aggregate')), sum ? aggregateView(sum) : h('p', { class: 'hint' }, t('eval.aggregateHidden'))) : null,
        h('section', { class: 'card' }, h('h2', {}, t('app.resume')), resume)),
      h('div', {},
        h('section', { class: 'card' }, h('h2', {}, t('eval.questions')),
          questions.length ? h('ol', {}, questions.map((q) => h('li', {}, q.text, ' ', badge(t('interview.limit', { s: q.time_limit_s }))))) : empty(t('eval.noQuestions')),
          generated ? h('p', { class: 'hint' }, t('eval.generatedRecruiters')) : unavailable(t('eval.generatedUnavailable'))),
        h('section', { class: 'card' }, h('h2', {}, t('eval.criteria')), h('ul', {}, (v.criteria || []).map((c) => h('li', {}, `${c.name} · ${t('job.weight')} ${fmtNum(c.weight, 2)}`)))))));
}
