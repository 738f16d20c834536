/*
 * screen-jobedit.js — create or edit a job post: texts, department, employment type,
 * headcount, open/close dates, the ordered stages with per-stage pass thresholds, screening
 * criteria with weights and keywords, and AI-interview questions with time limits.
 * Shapes follow JobInput in the OpenAPI document. When collecting, each input gets the
 * data-path the backend uses in errors ("criteria[1].weight", "stages[0].pass_threshold"),
 * so a 400 highlights the exact box.
 */
import { api, ROUTES, OPTIONAL, hasFeature } from './api.js';
import { t } from './i18n.js';
import { h, field, errorBox, submitting, announce } from './dom.js';
import { STAGES, EMPLOYMENT, stageName, employmentName } from './labels.js';
import { requireRole, recruiterCompany } from './app.js';

/* ISO → value of <input type="datetime-local"> in local time, and back. */
function toLocal(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
const fromLocal = (v) => (v ? new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z') : '');

function criterionRow(c, remove) {
  return h('div', { class: 'repeat-item', dataset: { kind: 'criterion' } },
    field({ name: 'c.name', label: t('job.criterionName'), value: c.name || '', required: true }),
    field({ name: 'c.weight', label: t('job.weight'), type: 'number', min: 0, max: 1, step: 0.05, value: c.weight ?? 0.5 }),
    field({ name: 'c.keywords', label: t('job.keywords'), value: (c.keywords || []).join(', '), hint: t('job.keywordsHint') }),
    h('button', { type: 'button', class: 'btn btn-small', onclick: remove }, t('common.remove')));
}

function questionRow(q, remove) {
  return h('div', { class: 'repeat-item repeat-q', dataset: { kind: 'question' } },
    field({ name: 'q.text', label: t('job.questionText'), type: 'textarea', rows: 2, value: q.text || '', required: true }),
    field({ name: 'q.time', label: t('job.timeLimit'), type: 'number', min: 10, max: 1800, step: 10, value: q.time_limit_s ?? 120 }),
    h('button', { type: 'button', class: 'btn btn-small', onclick: remove }, t('common.remove')));
}

function collect(form, cid, creating) {
  const v = (n) => form.querySelector(`[name="${n}"]`).value;
  const body = {
    title: v('title').trim(), description: v('description'), qualifications: v('qualifications'), conditions: v('conditions'),
    location: v('location'), employment_type: v('employment_type'), headcount: Number(v('headcount')),
    opens_at: fromLocal(v('opens_at')), closes_at: fromLocal(v('closes_at')), stages: [], criteria: [], questions: [],
  };
  if (creating) body.company_id = cid;
  if (v('department_id')) body.department_id = Number(v('department_id'));
  for (const s of STAGES) {
    const on = form.querySelector(`[name="stage.${s}"]`);
    const th = form.querySelector(`[name="threshold.${s}"]`);
    delete th.dataset.path;
    if (!on.checked) continue;
    th.dataset.path = `stages[${body.stages.length}].pass_threshold`;
    body.stages.push({ name: s, pass_threshold: th.value === '' ? null : Number(th.value) });
  }
  [...form.querySelectorAll('[data-kind="criterion"]')].forEach((row, i) => {
    const get = (n) => row.querySelector(`[name="${n}"]`);
    get('c.name').dataset.path = `criteria[${i}].name`;
    get('c.weight').dataset.path = `criteria[${i}].weight`;
    get('c.keywords').dataset.path = `criteria[${i}].keywords`;
    const kw = get('c.keywords').value.split(',').map((s) => s.trim()).filter(Boolean);
    body.criteria.push({ name: get('c.name').value.trim(), weight: Number(get('c.weight').value), keywords: kw });
  });
  [...form.querySelectorAll('[data-kind="question"]')].forEach((row, i) => {
    const get = (n) => row.querySelector(`[name="${n}"]`);
    get('q.text').dataset.path = `questions[${i}].text`;
    get('q.time').dataset.path = `questions[${i}].time_limit_s`;
    body.questions.push({ text: get('q.text').value.trim(), time_limit_s: Number(get('q.time').value) });
  });
  return body;
}

export async function render(root, ctx) {
  if (!requireRole(ctx, ctx.roles.recruiter)) return;
  const cid = recruiterCompany().company_id;
  const creating = !ctx.params.id;
  const now = Date.now();
  const job = creating
    ? { title: '', employment_type: 'full_time', headcount: 1, opens_at: new Date(now).toISOString(), closes_at: new Date(now + 30 * 86400e3).toISOString(),
      stages: [{ name: 'document', pass_threshold: 60 }, { name: 'ai_interview' }, { name: 'practical' }, { name: 'final' }], criteria: [], questions: [] }
    : await api(ROUTES.jobManage, { params: { id: ctx.params.id } });
  const depts = await api(ROUTES.departments, { params: { id: cid } });
  const trustOn = await hasFeature('jobTrust');
  const trust = trustOn && !creating ? await api(OPTIONAL.jobTrust, { params: { id: job.id } }) : { blind_review: false, offers_non_ai: false };
  const chosen = new Map((job.stages || []).map((s) => [s.name, s]));
  const crit = h('div', {}), ques = h('div', {});
  const addCrit = (c) => { const row = criterionRow(c, () => row.remove()); crit.append(row); };
  const addQ = (q) => { const row = questionRow(q, () => row.remove()); ques.append(row); };
  (job.criteria || []).forEach(addCrit);
  (job.questions || []).forEach(addQ);
  const form = h('form', { class: 'form-wide', novalidate: true }, errorBox(),
    h('fieldset', {}, h('legend', {}, t('job.basics')),
      field({ name: 'title', label: t('job.title'), value: job.title, required: true }),
      h('div', { class: 'row' },
        field({ name: 'employment_type', label: t('job.employmentType'), type: 'select', value: job.employment_type, options: EMPLOYMENT.map((e) => [e, employmentName(e)]) }),
        field({ name: 'headcount', label: t('job.headcount'), type: 'number', min: 1, value: job.headcount, required: true }),
        field({ name: 'location', label: t('job.location'), value: job.location || '' }),
        field({ name: 'department_id', label: t('job.department'), type: 'select', value: job.department_id || '', options: [['', t('common.none')], ...depts.items.map((d) => [d.id, d.name])] })),
      h('div', { class: 'row' },
        field({ name: 'opens_at', label: t('job.opens'), type: 'datetime-local', value: toLocal(job.opens_at), required: true }),
        field({ name: 'closes_at', label: t('job.closes'), type: 'datetime-local', value: toLocal(job.closes_at), required: true })),
      field({ name: 'description', label: t('job.description'), type: 'textarea', rows: 5, value: job.description || '' }),
      field({ name: 'qualifications', label: t('job.qualifications'), type: 'textarea', rows: 3, value: job.qualifications || '' }),
      field({ name: 'conditions', label: t('job.conditions'), type: 'textarea', rows: 2, value: job.conditions || '' })),
    h('fieldset', { 'data-path': 'stages' }, h('legend', {}, t('job.stages')), h('p', { class: 'hint' }, t('job.stagesHint')),
      STAGES.map((s) => h('div', { class: 'repeat-item stage-row' },
        field({ name: `stage.${s}`, label: stageName(s), type: 'checkbox', value: chosen.has(s) }),
        field({ name: `threshold.${s}`, label: t('job.threshold'), type: 'number', min: 0, max: 100, value: chosen.get(s)?.pass_threshold ?? '' }),
        h('span', {})))),
    h('fieldset', {}, h('legend', {}, t('job.criteria')), h('p', { class: 'hint' }, t('job.criteriaHint')), crit,
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => addCrit({}) }, '+ ' + t('job.addCriterion'))),
    h('fieldset', {}, h('legend', {}, t('job.questions')), h('p', { class: 'hint' }, t('job.questionsHint')), ques,
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => addQ({}) }, '+ ' + t('job.addQuestion'))),
    trustOn ? h('fieldset', {}, h('legend', {}, t('job.trust')),
      field({ name: 'blind_review', label: t('job.blindReview'), type: 'checkbox', value: trust.blind_review, hint: t('job.blindReviewHint') }),
      field({ name: 'offers_non_ai', label: t('job.offersNonAi'), type: 'checkbox', value: trust.offers_non_ai, hint: t('job.offersNonAiHint') })) : null,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, creating ? t('job.create') : t('common.save')),
      h('a', { class: 'btn', href: creating ? '#/recruit' : `#/recruit/jobs/${job.id}` }, t('common.cancel'))));
  submitting(form, async () => {
    const body = collect(form, cid, creating);
    const saved = creating ? await api(ROUTES.jobCreate, { body }) : await api(ROUTES.jobUpdate, { params: { id: job.id }, body });
    if (trustOn) {
      await api(OPTIONAL.jobTrustPut, { params: { id: saved.id }, body: {
        blind_review: form.querySelector('[name="blind_review"]').checked, offers_non_ai: form.querySelector('[name="offers_non_ai"]').checked } });
    }
    announce(t('common.saved'));
    ctx.go(`/recruit/jobs/${saved.id}`);
  });
  root.append(h('h1', {}, creating ? t('job.newTitle') : t('job.editTitle', { title: job.title })), h('div', { class: 'card' }, form));
}
