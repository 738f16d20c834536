/*
 * screen-recruit.js — the recruiter's company jobs and one job's pipeline: applicants
 * ranked by screening score with evidence (when the backend offers screening), the board
 * (one column per stage plus outcomes) with pass / fail / hold singly or in bulk, and the
 * interview panels of the job (assign interviewers per stage, remove).
 */
import { api, ROUTES, OPTIONAL, hasFeature } from './api.js';
import { suggestionBadge } from './screening-view.js';
import { t, fmtDate, fmtNum } from './i18n.js';
import { h, field, errorBox, submitting, empty, unavailable, badge } from './dom.js';
import { stageName, statusBadge, roleName } from './labels.js';
import { requireRole, recruiterCompany } from './app.js';
import { openDecision } from './decision.js';
import { displayName, blindToggle, applyJobBlind } from './blind.js';

export async function dashboard(root, ctx) {
  if (!requireRole(ctx, ctx.roles.recruiter)) return;
  const m = recruiterCompany();
  const jobs = await api(ROUTES.companyJobs, { params: { id: m.company_id } });
  root.append(h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, t('recruit.title')), h('p', { class: 'subtitle' }, m.company_name)),
    h('a', { class: 'btn btn-primary', href: '#/recruit/jobs/new' }, '+ ' + t('job.newTitle'))));
  if (!jobs.items.length) { root.append(h('div', { class: 'card' }, empty(t('recruit.noJobs')))); return; }
  root.append(h('div', { class: 'card table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, ['job.title', 'recruit.status', 'job.opens', 'job.closes', 'job.headcount', 'common.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, jobs.items.map((j) => h('tr', {},
      h('td', {}, h('a', { href: `#/recruit/jobs/${j.id}` }, j.title)), h('td', {}, statusBadge(j.status)),
      h('td', {}, fmtDate(j.opens_at)), h('td', {}, fmtDate(j.closes_at)), h('td', { class: 'num' }, j.headcount),
      h('td', {}, h('div', { class: 'actions', style: null }, h('a', { class: 'btn btn-small', href: `#/recruit/jobs/${j.id}/edit` }, t('common.edit')),
        h('a', { class: 'btn btn-small', href: `#/recruit/jobs/${j.id}/stats` }, t('recruit.stats'))))))))));
}

function tabs(jobId, current) {
  const tab = (key, href) => h('a', { href, 'aria-current': key === current ? 'page' : null }, t(key));
  return h('nav', { class: 'tabs', 'aria-label': t('recruit.jobSections') },
    tab('recruit.applicants', `#/recruit/jobs/${jobId}`), tab('recruit.board', `#/recruit/jobs/${jobId}?view=board`),
    tab('recruit.panels', `#/recruit/jobs/${jobId}?view=panels`), tab('recruit.stats', `#/recruit/jobs/${jobId}/stats`),
    tab('common.edit', `#/recruit/jobs/${jobId}/edit`));
}

function score(a) { return typeof a.total === 'number' ? a.total : null; }

/* Merge the ranking (when the server offers screening) into the application rows. */
async function withScreening(jobId, apps) {
  if (!(await hasFeature('screening'))) return { apps, screening: false };
  const r = await api(OPTIONAL.ranking, { params: { id: jobId } });
  const by = new Map(r.items.map((x) => [x.application_id, x]));
  return { apps: apps.map((a) => ({ ...a, ...(by.get(a.id) ? { total: by.get(a.id).total, suggestion: by.get(a.id).suggestion, rank: by.get(a.id).rank,
    evidence: by.get(a.id).evidence, screening_status: by.get(a.id).screening_status } : {}) })), screening: true };
}

function evidenceSummary(a) {
  const crit = (a.evidence && a.evidence.criteria) || [];
  if (!crit.length) return a.screening_status ? t('screen.status', { s: a.screening_status }) : '—';
  return crit.map((c) => `${c.name} ${fmtNum(c.score)}`).join(' · ');
}

function rankedList(apps, screening) {
  const sorted = [...apps].sort((x, y) => (score(y) ?? -1) - (score(x) ?? -1) || x.id - y.id);
  const out = h('section', { class: 'card' }, h('h2', {}, t('recruit.ranked')));
  if (!screening) out.append(unavailable(t('recruit.screeningUnavailable')));
  if (!sorted.length) { out.append(empty(t('recruit.noApplicants'))); return out; }
  out.append(h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, t('recruit.applicant')),
      h('th', { scope: 'col', class: 'num' }, t('recruit.screeningScore')), h('th', { scope: 'col' }, t('screen.suggestion')), h('th', { scope: 'col' }, t('recruit.evidence')),
      h('th', { scope: 'col' }, t('myapps.stage')), h('th', { scope: 'col' }, t('myapps.status')), h('th', { scope: 'col' }, t('myapps.applied')))),
    h('tbody', {}, sorted.map((a, i) => h('tr', {},
      h('td', { class: 'num' }, score(a) === null ? '—' : i + 1),
      h('td', {}, h('a', { href: `#/recruit/applications/${a.id}` }, displayName(a))),
      h('td', { class: 'num' }, score(a) === null ? h('span', { class: 'hint', title: t('recruit.noScore') }, '—') : fmtNum(score(a))),
      h('td', {}, suggestionBadge(a.suggestion)),
      h('td', { class: 'hint' }, evidenceSummary(a)),
      h('td', {}, stageName(a.current_stage)), h('td', {}, statusBadge(a.status)), h('td', {}, fmtDate(a.created_at))))))));
  return out;
}

function board(job, apps, reload) {
  const stages = job.stages.map((s) => s.name);
  const columns = [...stages.map((s) => ({ key: s, title: stageName(s), items: apps.filter((a) => (a.status === 'in_progress' || a.status === 'on_hold') && a.current_stage === s) })),
    { key: 'passed', title: t('status.passed'), items: apps.filter((a) => a.status === 'passed'), done: true },
    { key: 'rejected', title: t('status.rejected'), items: apps.filter((a) => a.status === 'rejected'), done: true },
    { key: 'withdrawn', title: t('status.withdrawn'), items: apps.filter((a) => a.status === 'withdrawn'), done: true }];
  const selected = new Set();
  const count = h('span', { 'aria-live': 'polite' }, t('recruit.selected', { n: 0 }));
  const bulkBtns = ['pass', 'fail', 'hold'].map((d) => h('button', { type: 'button', class: `btn btn-small ${d === 'pass' ? 'btn-ok' : d === 'fail' ? 'btn-bad' : 'btn-warn'}`, disabled: true,
    onclick: () => {
      const chosen = apps.filter((a) => selected.has(a.id));
      const st = new Set(chosen.map((a) => a.current_stage));
      openDecision({ jobId: job.id, ids: chosen.map((a) => a.id), stage: st.size === 1 ? [...st][0] : null, decision: d, names: chosen.map(displayName), onDone: reload });
    } }, t('decision.' + d)));
  const update = () => { count.textContent = t('recruit.selected', { n: selected.size }); for (const b of bulkBtns) b.disabled = selected.size === 0; };
  const ticket = (a, col) => h('div', { class: 'ticket', dataset: { app: a.id } },
    col.done ? h('a', { href: `#/recruit/applications/${a.id}` }, displayName(a)) : h('label', {},
      h('input', { type: 'checkbox', 'aria-label': t('recruit.select', { name: displayName(a) }), onchange: (e) => { if (e.target.checked) selected.add(a.id); else selected.delete(a.id); update(); } }),
      h('span', {}, h('a', { href: `#/recruit/applications/${a.id}` }, displayName(a)))),
    h('div', { class: 'meta' }, a.status === 'on_hold' ? statusBadge('on_hold') : null, score(a) !== null ? badge(t('recruit.scoreN', { n: fmtNum(score(a)) }), 'info') : null,
      h('span', {}, fmtDate(a.updated_at))),
    col.done ? null : h('div', { class: 'actions' }, ['pass', 'fail', 'hold'].map((d) => h('button', { type: 'button', class: 'btn btn-small',
      'aria-label': `${t('decision.' + d)}: ${displayName(a)}`, onclick: () => openDecision({ jobId: job.id, ids: [a.id], stage: a.current_stage, decision: d, names: [displayName(a)], onDone: reload }) }, t('decision.' + d)))));
  return h('section', { 'aria-label': t('recruit.board') },
    h('div', { class: 'board' }, columns.map((c) => h('section', { class: 'column', 'aria-label': c.title, dataset: { stage: c.key } },
      h('h3', {}, h('span', {}, c.title), badge(String(c.items.length))), c.items.length ? c.items.map((a) => ticket(a, c)) : h('p', { class: 'hint' }, t('recruit.emptyColumn'))))),
    h('div', { class: 'bulkbar actions' }, h('strong', {}, t('recruit.bulk')), count, bulkBtns));
}

async function panels(job, reload) {
  const cid = job.company_id;
  const [list, members] = await Promise.all([api(ROUTES.panels, { params: { id: job.id } }), api(ROUTES.members, { params: { id: cid } })]);
  const form = h('form', { class: 'search', novalidate: true }, errorBox(),
    field({ name: 'user_id', label: t('panels.member'), type: 'select', required: true, options: members.items.map((m) => [m.user_id, `${m.name} (${roleName(m.role)})`]) }),
    field({ name: 'stage', label: t('myapps.stage'), type: 'select', options: job.stages.map((s) => [s.name, stageName(s.name)]) }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('panels.assign')));
  submitting(form, async (fd) => { await api(ROUTES.panelCreate, { params: { id: job.id }, body: { stage: fd.get('stage'), user_id: Number(fd.get('user_id')) } }); reload(); });
  return h('section', { class: 'card' }, h('h2', {}, t('recruit.panels')), h('p', { class: 'hint' }, t('panels.lead')), form,
    list.items.length ? h('ul', { class: 'list' }, list.items.map((p) => h('li', {}, h('span', { class: 'grow' }, p.name, ' · ', stageName(p.stage)), statusBadge(p.status),
      h('button', { type: 'button', class: 'btn btn-small', onclick: async () => { await api(ROUTES.panelDelete, { params: { id: p.id } }); reload(); } }, t('common.remove'))))) : empty(t('panels.none')));
}

export async function pipeline(root, ctx) {
  if (!requireRole(ctx, ctx.roles.recruiter)) return;
  const id = ctx.params.id;
  const view = ctx.query.get('view') || 'list';
  const [job, list] = await Promise.all([api(ROUTES.jobManage, { params: { id } }), api(ROUTES.jobApplications, { params: { id } })]);
  const { apps, screening } = await withScreening(id, list.items);
  await applyJobBlind(id);
  const reload = () => ctx.go(`/recruit/jobs/${id}${view === 'list' ? '' : '?view=' + view}`);
  root.append(h('p', {}, h('a', { href: '#/recruit' }, '← ' + t('recruit.title'))),
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, job.title), h('div', { class: 'meta' }, statusBadge(job.status),
      h('span', {}, t('recruit.applicantsN', { n: apps.length })), h('span', {}, t('job.headcountN', { n: job.headcount })))),
    blindToggle(reload)), tabs(id, view === 'board' ? 'recruit.board' : view === 'panels' ? 'recruit.panels' : 'recruit.applicants'));
  if (view === 'board') root.append(board(job, apps, reload));
  else if (view === 'panels') root.append(await panels(job, reload));
  else root.append(rankedList(apps, screening));
}
