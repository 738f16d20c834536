/*
 * screen-stats.js — a job's statistics as the backend computes them: applications by
 * status, per stage the applications that reached it, are there now, passed and failed, the
 * pass rate, the score distribution and time in stage. Every number is a backend metric
 * {value, unit, samples, status, definition}; the definition and sample count show on hover,
 * and "insufficient data" is shown as such, never as 0.
 */
import { api, ROUTES } from './api.js';
import { t, fmtNum } from './i18n.js';
import { h, badge } from './dom.js';
import { barChart, histogram } from './charts.js';
import { stageName, statusBadge } from './labels.js';
import { requireRole } from './app.js';

function metricCell(m, scale = 1, suffix = '') {
  if (!m) return h('td', { class: 'num' }, '—');
  const title = `${m.definition} · ${t('report.samples')}: ${m.samples}`;
  if (m.status !== 'ok' || m.value === null) return h('td', { class: 'num', title }, badge(t('metricStatus.' + m.status), 'warn'));
  return h('td', { class: 'num', title, tabindex: 0 }, fmtNum(m.value * scale, 1) + suffix);
}

export async function render(root, ctx) {
  if (!requireRole(ctx, ctx.roles.recruiter)) return;
  const id = ctx.params.id;
  const [job, st] = await Promise.all([api(ROUTES.jobManage, { params: { id } }), api(ROUTES.jobStats, { params: { id } })]);
  const stages = st.stages || [];
  root.append(h('p', {}, h('a', { href: `#/recruit/jobs/${id}` }, '← ' + job.title)), h('h1', {}, t('stats.title', { title: job.title })),
    h('div', { class: 'cols cols-even' },
      h('section', { class: 'card' }, h('h2', {}, t('stats.byStatus')),
        (st.by_status || []).length ? barChart(st.by_status.map((s) => ({ label: t('status.' + s.status), value: s.applications })), { title: t('stats.byStatus'), unit: t('unit.applications') })
          : h('p', { class: 'hint' }, t('stats.none')),
        h('div', { class: 'meta' }, (st.by_status || []).map((s) => h('span', {}, statusBadge(s.status), ' ', s.applications)))),
      h('section', { class: 'card' }, h('h2', {}, t('stats.funnel')),
        barChart(stages.map((s) => ({ label: stageName(s.stage), value: s.reached ? s.reached.value : null, title: s.reached ? `${stageName(s.stage)}: ${s.reached.value} · ${s.reached.definition}` : '' })),
          { title: t('stats.funnel'), unit: t('unit.applications') }))),
    h('section', { class: 'card' }, h('h2', {}, t('stats.perStage')), h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['myapps.stage', 'stats.reached', 'stats.current', 'stats.passed', 'stats.failed', 'stats.onHold', 'stats.passRate', 'stats.meanScore', 'stats.medianHours'].map((k, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t(k))))),
      h('tbody', {}, stages.map((s) => h('tr', {}, h('th', { scope: 'row' }, stageName(s.stage)), metricCell(s.reached), metricCell(s.current),
        h('td', { class: 'num' }, s.passed ?? '—'), h('td', { class: 'num' }, s.failed ?? '—'), h('td', { class: 'num' }, s.on_hold ?? '—'),
        metricCell(s.pass_rate, 100, '%'), metricCell(s.score && s.score.mean), metricCell(s.time_in_stage && s.time_in_stage.median)))))))),
    h('section', { class: 'card' }, h('h2', {}, t('stats.scoreDist')), h('div', { class: 'grid' }, stages.filter((s) => s.score && s.score.histogram).map((s) =>
      h('figure', {}, h('figcaption', {}, stageName(s.stage), ' ', h('span', { class: 'hint' }, t('stats.nScores', { n: s.score.mean ? s.score.mean.samples : 0 }))),
        histogram(s.score.histogram, { title: `${t('stats.scoreDist')} · ${stageName(s.stage)}`, lo: 0, hi: 100 })))));
}
