/*
 * screen-myapps.js — an applicant's applications (status and stage history, withdraw, the
 * AI interview entry when that stage is current) and everyone's notifications.
 * Applicants see statuses and dates only: the backend never sends them scores or reasons.
 */
import { api, ROUTES } from './api.js';
import { t, fmtDate } from './i18n.js';
import { h, empty, announce, errorState, badge } from './dom.js';
import { stageName, statusBadge } from './labels.js';
import { requireRole } from './app.js';

export async function list(root, ctx) {
  if (!requireRole(ctx, ctx.roles.applicant)) return;
  const data = await api(ROUTES.myApplications);
  root.append(h('h1', {}, t('myapps.title')));
  if (!data.items.length) {
    root.append(h('div', { class: 'card' }, empty(t('myapps.none')), h('a', { class: 'btn btn-primary', href: '#/' }, t('nav.jobs'))));
    return;
  }
  root.append(h('div', { class: 'card table-wrap' }, h('table', {},
    h('caption', { class: 'sr-only' }, t('myapps.title')),
    h('thead', {}, h('tr', {}, ['myapps.job', 'myapps.company', 'myapps.stage', 'myapps.status', 'myapps.applied'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, data.items.map((a) => h('tr', {},
      h('td', {}, h('a', { href: `#/me/applications/${a.id}` }, a.job_title)), h('td', {}, a.company_name),
      h('td', {}, stageName(a.current_stage)), h('td', {}, statusBadge(a.status)), h('td', {}, fmtDate(a.created_at))))))));
}

export function stageTimeline(stages, current) {
  return h('ol', { class: 'stages', 'aria-label': t('myapps.history') }, stages.map((s) => h('li', { class: s.stage === current ? 'current' : '', 'aria-current': s.stage === current ? 'step' : null },
    h('span', { class: 'st-name' }, stageName(s.stage)), statusBadge(s.status),
    h('div', { class: 'meta' }, s.entered_at ? h('span', {}, t('myapps.entered', { date: fmtDate(s.entered_at) })) : null,
      s.decided_at ? h('span', {}, t('myapps.decided', { date: fmtDate(s.decided_at) })) : null))));
}

export async function detail(root, ctx) {
  if (!requireRole(ctx, ctx.roles.applicant)) return;
  const a = await api(ROUTES.application, { params: { id: ctx.params.id } });
  const active = a.status === 'in_progress' || a.status === 'on_hold';
  const actions = h('div', { class: 'actions' });
  if (active && a.current_stage === 'ai_interview') actions.append(h('a', { class: 'btn btn-primary', href: `#/interview/${a.id}` }, t('interview.start')));
  if (active) {
    const msg = h('div', { role: 'alert' });
    actions.append(h('button', { type: 'button', class: 'btn', onclick: async (e) => {
      if (!confirm(t('myapps.withdrawConfirm'))) return;
      e.currentTarget.disabled = true;
      try { await api(ROUTES.withdraw, { params: { id: a.id }, body: {} }); announce(t('myapps.withdrawn')); ctx.go(`/me/applications/${a.id}`); } catch (err) { msg.replaceChildren(errorState(err)); e.target.disabled = false; }
    } }, t('myapps.withdraw')), msg);
  }
  root.append(h('p', {}, h('a', { href: '#/me/applications' }, '← ' + t('myapps.title'))),
    ctx.query.get('applied') ? h('div', { class: 'note', role: 'status' }, t('apply.done')) : null,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, a.job_title), h('div', { class: 'meta' }, h('span', {}, a.company_name), statusBadge(a.status),
      h('span', {}, t('myapps.appliedOn', { date: fmtDate(a.created_at) }))))),
    h('section', { class: 'card' }, h('h2', {}, t('myapps.history')), stageTimeline(a.stages || [], a.current_stage), actions),
    h('section', { class: 'card' }, h('h2', {}, t('myapps.rights')), h('p', { class: 'hint' }, t('myapps.rightsLead')),
      h('a', { href: `#/interview/${a.id}?view=rights` }, t('myapps.rightsLink'))));
}

export async function notifications(root, ctx) {
  if (!requireRole(ctx, true)) return;
  const data = await api(ROUTES.notifications);
  const unread = data.items.filter((n) => !n.read_at).length;
  const markAll = h('button', { type: 'button', class: 'btn', disabled: !unread, onclick: async (e) => {
    e.currentTarget.disabled = true;
    await api(ROUTES.readAll, { body: {} });
    announce(t('notes.allRead'));
    ctx.go('/notifications');
  } }, t('notes.markAll'));
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('nav.notifications')), markAll));
  const link = (n) => {
    const d = n.data || {};
    if (d.application_id && ctx.roles.applicant) return `#/me/applications/${d.application_id}`;
    if (d.application_id && ctx.roles.recruiter) return `#/recruit/applications/${d.application_id}`;
    if (n.kind === 'panel.assigned') return '#/panels';
    return null;
  };
  root.append(h('div', { class: 'card' }, data.items.length ? h('ul', { class: 'list' }, data.items.map((n) => {
    const href = link(n);
    return h('li', {}, n.read_at ? null : badge(t('notes.new'), 'primary'),
      h('div', { class: 'grow' }, href ? h('a', { href }, n.title) : h('strong', {}, n.title), n.body ? h('div', { class: 'hint' }, n.body) : null),
      h('span', { class: 'meta' }, fmtDate(n.created_at, true)));
  })) : empty(t('notes.none'))));
}
