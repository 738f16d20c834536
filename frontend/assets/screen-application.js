/*
 * screen-application.js — a recruiter's view of one application: stage history with scores,
 * reasons and who decided; the decision for the current stage; the resume (parsed sections
 * and text) with screening highlights and similarity warnings when the backend offers
 * screening; the current stage's panel aggregate; memos; the audit trail; and the link to
 * the AI-interview analysis report.
 */
import { api, ROUTES, OPTIONAL, hasFeature } from './api.js';
import { screeningView, insightsView } from './screening-view.js';
import { t, fmtDate, fmtNum } from './i18n.js';
import { h, field, errorBox, submitting, empty, unavailable, errorState, badge, loading, announce } from './dom.js';
import { stageName, statusBadge } from './labels.js';
import { requireRole } from './app.js';
import { openDecision } from './decision.js';
import { displayName, blindToggle, isBlind, applyJobBlind } from './blind.js';
import { aggregateView } from './aggregate-view.js';

function history(a) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, ['myapps.stage', 'myapps.status', 'app.score', 'app.reason', 'app.decidedBy', 'app.decidedAt'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, (a.stages || []).map((s) => h('tr', { class: s.stage === a.current_stage ? 'current' : '' },
      h('td', {}, stageName(s.stage)), h('td', {}, statusBadge(s.status)), h('td', { class: 'num' }, fmtNum(s.score)),
      h('td', { class: 'prewrap' }, s.reason || '—'), h('td', {}, s.decided_by_name || '—'), h('td', {}, fmtDate(s.decided_at, true)))))));
}

export function resumeView(r) {
  const sec = r.sections || r.parsed || {};
  const block = (key, items, fmt) => (items && items.length ? h('section', {}, h('h3', {}, t('section.' + key)), h('ul', {}, items.map((i) => h('li', {}, fmt(i))))) : null);
  const range = (i) => [i.title, ' ', h('span', { class: 'hint' }, `${i.start || '?'} – ${i.current ? t('resume.present') : i.end || '?'}`),
    (i.details || []).length ? h('div', { class: 'hint' }, i.details.join(' · ')) : null];
  const dated = (i) => [i.name, i.date ? h('span', { class: 'hint' }, ' ' + i.date) : null];
  return h('div', {},
    block('experience', sec.experience, range), block('education', sec.education, range), block('projects', sec.projects, range),
    sec.skills && sec.skills.length ? h('section', {}, h('h3', {}, t('section.skills')), h('div', { class: 'meta' }, sec.skills.map((s) => badge(s, 'primary')))) : null,
    block('certificates', sec.certificates, dated), block('awards', sec.awards, dated),
    h('details', {}, h('summary', {}, t('resume.extracted')), h('pre', { class: 'prewrap pre-small' }, isBlind() ? t('blind.textHidden') : r.text || '')));
}

async function memos(id) {
  const list = await api(ROUTES.memos, { params: { id } });
  const ul = list.items.length ? h('ul', { class: 'list' }, list.items.map((m) => h('li', {}, h('div', { class: 'grow' }, h('p', { class: 'prewrap' }, m.body),
    h('div', { class: 'meta' }, h('span', {}, m.author_name), h('span', {}, fmtDate(m.created_at, true))))))) : empty(t('memo.none'));
  const form = h('form', { novalidate: true }, errorBox(), field({ name: 'body', label: t('memo.new'), type: 'textarea', rows: 3, required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('memo.add'))));
  const box = h('section', { class: 'card' }, h('h2', {}, t('memo.title')), ul, form);
  submitting(form, async (fd) => {
    await api(ROUTES.memoCreate, { params: { id }, body: { body: fd.get('body') } });
    box.replaceWith(await memos(id));
  });
  return box;
}

async function stagePanel(a) {
  const v = await api(ROUTES.stageView, { params: { id: a.id, stage: a.current_stage } });
  const sum = v.evaluation_summary;
  const box = h('section', { class: 'card' }, h('h2', {}, t('app.stageEval', { stage: stageName(a.current_stage) })));
  if (!sum || !(sum.panel || []).length) box.append(h('p', { class: 'hint' }, t('app.noPanel')));
  else box.append(aggregateView(sum));
  return box;
}

async function screeningBox(a) {
  const box = h('section', { class: 'card' }, h('h2', {}, t('app.screening')));
  if (!(await hasFeature('screening'))) { box.append(unavailable(t('recruit.screeningUnavailable'))); return box; }
  // the ranking says whether this application was screened yet (no request that must 404)
  const rank = await api(OPTIONAL.ranking, { params: { id: a.job_id } });
  const mine = rank.items.find((x) => x.application_id === a.id);
  if (!mine || !mine.screening_status) box.append(h('p', { class: 'hint' }, t('screen.notYet')));
  else {
    const sc = await api(OPTIONAL.screening, { params: { id: a.id } });
    const report = sc.result || {};
    if (report.result && report.result.screening) box.append(screeningView(report.result.screening));
    else box.append(h('div', { class: 'state state-error', role: 'note' }, h('strong', {}, t('screen.failed', { s: sc.status })),
      h('ul', {}, (report.errors || []).map((e) => h('li', {}, e.message || e.code || String(e))))));
  }
  const ins = h('div', { 'aria-live': 'polite' }, h('button', { type: 'button', class: 'btn btn-small', onclick: async (e) => {
    e.currentTarget.disabled = true;
    ins.replaceChildren(loading());
    try { ins.replaceChildren(insightsView(await api(OPTIONAL.insights, { params: { id: a.id } }))); } catch (err) { ins.replaceChildren(errorState(err)); }
  } }, t('screen.loadInsights')));
  box.append(ins);
  return box;
}

/* Accommodations for this applicant's AI interview (extra time, retakes, answer mode). */
async function accommodationsBox(a) {
  if (!(await hasFeature('accommodations'))) return null;
  const cur = await api(OPTIONAL.accommodations, { params: { id: a.id } });
  const form = h('form', { novalidate: true }, errorBox(),
    h('div', { class: 'row' },
      field({ name: 'extra_time_factor', label: t('acc.extraTime'), type: 'number', min: 1, max: 4, step: 0.25, value: cur.extra_time_factor ?? 1 }),
      field({ name: 'extra_retakes', label: t('acc.retakes'), type: 'number', min: 0, max: 10, step: 1, value: cur.extra_retakes ?? 0 }),
      field({ name: 'answer_mode', label: t('acc.mode'), type: 'select', value: cur.answer_mode || 'video', options: ['video', 'audio', 'text'].map((m) => [m, t('answerMode.' + m)]) })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-small' }, t('common.save'))));
  submitting(form, async (fd) => {
    await api(OPTIONAL.accommodationsPut, { params: { id: a.id }, body: { extra_time_factor: Number(fd.get('extra_time_factor')), extra_retakes: Number(fd.get('extra_retakes')), answer_mode: fd.get('answer_mode') } });
    announce(t('common.saved'));
  });
  return h('details', { class: 'card' }, h('summary', {}, t('acc.title')), h('p', { class: 'hint' }, t('acc.lead')), form);
}

async function questionsBox(a) {
  if (!(await hasFeature('questions'))) return null;
  const out = h('div', { 'aria-live': 'polite' });
  const btn = h('button', { type: 'button', class: 'btn btn-small', onclick: async () => {
    btn.disabled = true;
    out.replaceChildren(loading());
    try {
      const q = await api(OPTIONAL.generateQuestions, { params: { id: a.id }, body: {} });
      const list = (q.result && (q.result.questions || q.result.items)) || [];
      out.replaceChildren(list.length ? h('ol', {}, list.map((x) => h('li', {}, x.text || x.question || '', x.competency ? h('span', { class: 'hint' }, ` · ${x.competency}`) : null,
        x.source_item ? h('div', { class: 'hint' }, t('screen.cites', { s: typeof x.source_item === 'string' ? x.source_item : JSON.stringify(x.source_item) })) : null))) : empty(t('screen.noQuestions')));
    } catch (err) { out.replaceChildren(errorState(err)); } finally { btn.disabled = false; }
  } }, t('screen.generateQuestions'));
  return h('section', { class: 'card' }, h('h2', {}, t('eval.questions')), btn, out);
}

export async function render(root, ctx) {
  if (!requireRole(ctx, ctx.roles.recruiter)) return;
  const id = ctx.params.id;
  const a = await api(ROUTES.application, { params: { id } });
  await applyJobBlind(a.job_id);
  const reload = () => ctx.go(`/recruit/applications/${id}`);
  const active = a.status === 'in_progress' || a.status === 'on_hold';
  const safe = async (fn) => { try { return await fn(); } catch (err) { return h('section', { class: 'card' }, errorState(err)); } };
  const [resume, stage, memoBox, audit, screening, questions, accBox] = await Promise.all([
    safe(async () => h('section', { class: 'card' }, h('h2', {}, t('app.resume')), resumeView(await api(ROUTES.resume, { params: { id: a.resume_id } })))),
    active ? safe(() => stagePanel(a)) : null, safe(() => memos(id)),
    safe(async () => {
      const au = await api(ROUTES.audit, { params: { id } });
      return h('details', { class: 'card' }, h('summary', {}, t('app.audit')), h('ul', { class: 'list' }, au.items.map((e) => h('li', {},
        h('div', { class: 'grow' }, h('code', {}, e.action), ' · ', e.actor_id === a.applicant_id ? displayName(a) : e.actor_name || '—', e.reason ? h('div', { class: 'hint prewrap' }, e.reason) : null),
        h('span', { class: 'meta' }, fmtDate(e.at, true))))));
    }), safe(() => screeningBox(a)), safe(() => questionsBox(a)), safe(() => accommodationsBox(a))]);
  const decide = active ? h('div', { class: 'actions' }, ['pass', 'fail', 'hold'].map((d) => h('button', { type: 'button',
    class: `btn ${d === 'pass' ? 'btn-ok' : d === 'fail' ? 'btn-bad' : 'btn-warn'}`,
    onclick: () => openDecision({ jobId: a.job_id, ids: [a.id], stage: a.current_stage, decision: d, names: [displayName(a)], onDone: reload }) }, t('decision.' + d)))) : null;
  root.append(h('p', {}, h('a', { href: `#/recruit/jobs/${a.job_id}` }, '← ' + a.job_title)),
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, displayName(a)),
      h('div', { class: 'meta' }, isBlind() ? null : h('span', {}, a.applicant_email), statusBadge(a.status),
        h('span', {}, t('app.currentStage', { stage: stageName(a.current_stage) })), h('span', {}, t('myapps.appliedOn', { date: fmtDate(a.created_at) })))),
    blindToggle(reload)),
    h('div', { class: 'cols' },
      h('div', {}, h('section', { class: 'card' }, h('h2', {}, t('myapps.history')), history(a), decide,
        a.stages.some((s) => s.stage === 'ai_interview') ? h('p', {}, h('a', { href: `#/recruit/applications/${id}/report` }, t('report.open'))) : null),
      stage, screening, resume),
      h('div', {}, memoBox, questions, accBox, audit)));
}
