/*
 * screen-jobs.js — public job board: search (q, employment type, location) with pagination,
 * and a job's detail page with the apply form (an applicant picks one of their resumes).
 */
import { api, ROUTES } from './api.js';
import { t, fmtDate } from './i18n.js';
import { h, field, errorBox, submitting, loading, errorState, empty, clear, announce } from './dom.js';
import { EMPLOYMENT, employmentName, stageName, statusBadge } from './labels.js';

const PAGE = 12;

function jobCard(j) {
  return h('article', { class: 'card job-card' },
    h('div', { class: 'meta' }, h('span', {}, j.company_name), statusBadge(j.status)),
    h('h2', {}, h('a', { href: `#/jobs/${j.id}` }, j.title)),
    h('div', { class: 'meta' }, j.location && h('span', {}, j.location), h('span', {}, employmentName(j.employment_type)),
      h('span', {}, t('jobs.closes', { date: fmtDate(j.closes_at) }))));
}

export async function list(root, ctx) {
  const q = ctx.query;
  const offset = Number(q.get('offset') || 0);
  const form = h('form', { class: 'search', role: 'search' },
    field({ name: 'q', label: t('jobs.search'), type: 'search', value: q.get('q') || '', placeholder: t('jobs.searchHint') }),
    field({ name: 'employment_type', label: t('job.employmentType'), type: 'select', value: q.get('employment_type') || '',
      options: [['', t('common.all')], ...EMPLOYMENT.map((e) => [e, employmentName(e)])] }),
    field({ name: 'location', label: t('job.location'), value: q.get('location') || '' }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('jobs.searchButton')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) p.set(k, v);
    ctx.go('/?' + p.toString());
  });
  const results = h('section', { 'aria-live': 'polite', 'aria-busy': 'true' }, loading());
  root.append(h('div', { class: 'hero' }, h('h1', {}, t('jobs.title')), h('p', {}, t('jobs.lead'))), form, results);
  try {
    const data = await api(ROUTES.jobs, { query: { q: q.get('q'), employment_type: q.get('employment_type'), location: q.get('location'), limit: PAGE, offset } });
    clear(results).removeAttribute('aria-busy');
    results.append(h('p', { class: 'subtitle' }, t('jobs.count', { n: data.total })));
    if (!data.items.length) { results.append(empty(t('jobs.none'))); return; }
    results.append(h('div', { class: 'grid' }, data.items.map(jobCard)));
    const pager = h('nav', { class: 'actions', 'aria-label': t('common.pages') });
    const link = (off, label) => { const p = new URLSearchParams(q); p.set('offset', off); return h('a', { class: 'btn', href: '#/?' + p }, label); };
    if (offset > 0) pager.append(link(Math.max(0, offset - PAGE), t('common.prev')));
    if (data.next_offset !== null && data.next_offset !== undefined) pager.append(link(data.next_offset, t('common.next')));
    results.append(pager);
  } catch (err) {
    clear(results).append(errorState(err));
  }
}

async function applyBox(job, ctx) {
  const box = h('section', { class: 'card', 'aria-labelledby': 'apply-h' }, h('h2', { id: 'apply-h' }, t('apply.title')));
  if (job.status !== 'open') { box.append(h('p', {}, t('apply.closed'))); return box; }
  if (!ctx.session.user) {
    box.append(h('p', {}, t('apply.signin')), h('div', { class: 'actions' },
      h('a', { class: 'btn btn-primary', href: `#/login?next=${encodeURIComponent('/jobs/' + job.id)}` }, t('nav.login')),
      h('a', { class: 'btn', href: `#/signup?next=${encodeURIComponent('/jobs/' + job.id)}` }, t('nav.signup'))));
    return box;
  }
  if (!ctx.roles.applicant) { box.append(h('p', {}, t('apply.onlyApplicants'))); return box; }
  const [resumes, mine] = await Promise.all([api(ROUTES.resumes), api(ROUTES.myApplications)]);
  const existing = mine.items.find((a) => a.job_id === job.id);
  if (existing) {
    box.append(h('p', {}, t('apply.already')), h('a', { class: 'btn', href: `#/me/applications/${existing.id}` }, t('apply.view')));
    return box;
  }
  if (!resumes.items.length) {
    box.append(h('p', {}, t('apply.needResume')), h('a', { class: 'btn btn-primary', href: `#/me/resumes?next=${encodeURIComponent('/jobs/' + job.id)}` }, t('resume.upload')));
    return box;
  }
  const form = h('form', { class: 'form', novalidate: true }, errorBox(),
    field({ name: 'resume_id', label: t('apply.resume'), type: 'select', required: true,
      options: resumes.items.map((r) => [r.id, `${r.filename || t('resume.untitled')} · ${fmtDate(r.created_at)}${r.reviewed ? '' : ' · ' + t('resume.unreviewed')}`]) }),
    h('p', { class: 'hint' }, t('apply.notice')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('apply.submit'))));
  submitting(form, async (fd) => {
    const app = await api(ROUTES.apply, { params: { id: job.id }, body: { resume_id: Number(fd.get('resume_id')) } });
    announce(t('apply.done'));
    ctx.go(`/me/applications/${app.id}?applied=1`);
  });
  box.append(form);
  return box;
}

export async function detail(root, ctx) {
  const job = await api(ROUTES.job, { params: { id: ctx.params.id }, auth: !!ctx.session.user });
  const section = (key, text) => text ? h('section', {}, h('h2', {}, t(key)), h('p', { class: 'prewrap' }, text)) : null;
  let apply;
  try { apply = await applyBox(job, ctx); } catch (err) { apply = errorState(err); }
  root.append(
    h('p', {}, h('a', { href: '#/' }, '← ' + t('jobs.back'))),
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, job.title),
      h('div', { class: 'meta' }, h('span', {}, job.company_name), statusBadge(job.status), job.location && h('span', {}, job.location),
        h('span', {}, employmentName(job.employment_type)), h('span', {}, t('job.headcountN', { n: job.headcount }))))),
    h('div', { class: 'cols' },
      h('div', { class: 'card' }, section('job.description', job.description), section('job.qualifications', job.qualifications),
        section('job.conditions', job.conditions),
        h('section', {}, h('h2', {}, t('job.stages')), h('ol', { class: 'stages' }, (job.stages || []).map((s) => h('li', {}, h('span', { class: 'st-name' }, stageName(typeof s === 'string' ? s : s.name))))))),
      h('div', {}, h('div', { class: 'card' }, h('dl', { class: 'kv' },
        h('dt', {}, t('job.opens')), h('dd', {}, fmtDate(job.opens_at, true)),
        h('dt', {}, t('job.closes')), h('dd', {}, fmtDate(job.closes_at, true)))), apply)));
}
