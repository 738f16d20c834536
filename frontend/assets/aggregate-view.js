/*
 * aggregate-view.js — the panel aggregate of a stage (mean, min, max, spread, count, per
 * criterion, who is still missing, every evaluation) as the backend computes it. Used by the
 * recruiter's application page and, when the backend sends it, the interviewer workspace.
 */
import { t, fmtNum, fmtDate } from './i18n.js';
import { h, badge, empty } from './dom.js';
import { barChart } from './charts.js';

export function aggregateView(sum) {
  const a = sum.aggregate || {};
  const defs = sum.definitions || {};
  const cell = (key, v) => h('div', { class: 'metric', title: defs[key] || '' }, h('div', { class: 'u' }, t('agg.' + key)), h('div', { class: 'v' }, fmtNum(v)));
  const out = h('div', { class: 'aggregate' },
    h('div', { class: 'metrics' }, cell('mean', a.mean), cell('min', a.min), cell('max', a.max), cell('spread', a.spread),
      h('div', { class: 'metric' }, h('div', { class: 'u' }, t('agg.count')), h('div', { class: 'v' }, String(a.count ?? 0)))));
  if ((sum.missing || []).length) out.append(h('p', { class: 'state state-unavailable' }, t('agg.missing', { names: sum.missing.map((m) => m.name).join(', ') })));
  const crit = (sum.criteria || []).filter((c) => c.count > 0);
  if (crit.length) out.append(h('h3', {}, t('agg.byCriterion')), barChart(crit.map((c) => ({ label: c.name, value: c.mean, lo: c.min, hi: c.max })), { max: 100, unit: t('unit.points'), title: t('agg.byCriterion') }));
  // panel members get the aggregate without the colleagues' evaluations: no section then
  if (!Array.isArray(sum.evaluations)) return out;
  out.append(h('h3', {}, t('agg.evaluations')));
  out.append(sum.evaluations.length ? h('ul', { class: 'list' }, sum.evaluations.map((e) => h('li', {},
    h('div', { class: 'grow' }, h('strong', {}, e.evaluator_name || '#' + e.evaluator_id), ' ', badge(t('agg.totalN', { n: fmtNum(e.total) }), 'info'),
      h('div', { class: 'meta' }, Object.entries(e.scores || e.scores_json || {}).map(([k, v]) => h('span', {}, `${k}: ${v}`))),
      e.comment ? h('p', { class: 'prewrap hint' }, e.comment) : null),
    h('span', { class: 'meta' }, fmtDate(e.submitted_at, true))))) : empty(t('agg.none')));
  return out;
}
