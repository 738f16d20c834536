/*
 * screen-report.js — the AI-interview analysis report for recruiters, drawn from the
 * video-analysis result document exactly as that service writes it: "metrics" (each
 * {value, unit, samples, status, definition, uncertainty, not_scored}), "timelines"
 * (per-second arrays with step_s; emotion only when the company's policy ran it),
 * "transcript" (words with times and confidence, fillers as word index spans), "vad"
 * segments, "per_question" and "scoring". Nothing is computed about the candidate here:
 * the page only displays, and every behavioural metric is labelled "not scored".
 * reportView(report) is exported so the same rendering serves any route that returns it.
 */
import { api, ROUTES, OPTIONAL, hasFeature } from './api.js';
import { t, fmtNum } from './i18n.js';
import { h, unavailable, badge, empty } from './dom.js';
import { lineChart, barChart, hasData } from './charts.js';
import { requireRole } from './app.js';
import { isBlind, applyJobBlind } from './blind.js';

const GROUPS = [
  ['report.face', ['face_presence_ratio', 'eye_contact_ratio', 'blinks_per_minute', 'smile_ratio', 'head_yaw_deg', 'head_pitch_deg', 'head_roll_deg', 'nods']],
  ['report.posture', ['shoulder_tilt_deg', 'lean', 'movement_energy']],
  ['report.speech', ['speaking_time_ratio', 'speech_rate_wpm', 'speech_rate_syllables_per_min', 'pause_count', 'pause_mean_s', 'loudness_mean_dbfs', 'loudness_spread_db', 'pitch_mean_hz', 'pitch_spread_hz', 'filler_count', 'fillers_per_min']],
];

const STATUS_KIND = { ok: 'ok', insufficient_data: 'warn', unavailable: 'bad' };

function metricTitle(name, m) {
  const parts = [m.definition || name];
  if (m.uncertainty !== null && m.uncertainty !== undefined) parts.push(`${t('report.uncertainty')}: ±${fmtNum(m.uncertainty, 3)} ${m.unit}`);
  parts.push(`${t('report.samples')}: ${m.samples}`);
  if (m.reason) parts.push(m.reason);
  if (m.estimate) parts.push(t('report.estimate'));
  return parts.join('\n');
}

function metricCard(name, m) {
  const ratio = m.unit === 'ratio' && typeof m.value === 'number';
  const value = m.value === null || m.value === undefined ? '—' : ratio ? fmtNum(m.value * 100, 1) + '%' : fmtNum(m.value, 2);
  return h('div', { class: 'metric', title: metricTitle(name, m), tabindex: 0, 'aria-label': `${t('metric.' + name)}: ${value} ${ratio ? '' : m.unit}. ${metricTitle(name, m)}` },
    h('div', { class: 'u' }, t('metric.' + name)),
    h('div', { class: 'v' }, value, ' ', ratio ? null : h('span', { class: 'u' }, m.unit)),
    h('div', { class: 'meta' }, m.status !== 'ok' ? badge(t('metricStatus.' + m.status), STATUS_KIND[m.status]) : null,
      m.uncertainty !== null && m.uncertainty !== undefined ? h('span', {}, '± ' + fmtNum(ratio ? m.uncertainty * 100 : m.uncertainty, 2) + (ratio ? '%' : '')) : null,
      m.not_scored !== false ? badge(t('report.notScored'), 'neutral') : null));
}

function series(tl, key) {
  const v = tl[key];
  const values = Array.isArray(v) ? v : v && Array.isArray(v.values) ? v.values : null;
  if (!values) return null;
  const step = (v && v.step_s) || tl.step_s || 1;
  return values.map((y, i) => [i * step, y]);
}

function figure(title, series, opts, legend) {
  const body = hasData(series) ? lineChart(series, { title, ...opts }) : h('p', { class: 'hint' }, t('report.noTimeline'));
  return h('figure', {}, h('figcaption', {}, title), body, hasData(series) ? legend : null);
}

function timelines(r) {
  const tl = r.timelines || {};
  const out = [];
  const eye = series(tl, 'eye_contact');
  if (eye) out.push(figure(t('report.eyeTimeline'), [{ name: t('metric.eye_contact_ratio'), points: eye }], { yMin: 0, yMax: 1, xUnit: 's' }));
  const yaw = series(tl, 'head_yaw'), pitch = series(tl, 'head_pitch');
  if (yaw || pitch) out.push(figure(t('report.headTimeline'), [yaw && { name: t('report.yaw'), points: yaw }, pitch && { name: t('report.pitch'), points: pitch, cls: 'series-2' }].filter(Boolean),
    { xUnit: 's' }, h('div', { class: 'legend' }, h('span', {}, h('i', {}), t('report.yaw')), h('span', {}, h('i', { class: 'l2' }), t('report.pitch')))));
  const loud = series(tl, 'loudness');
  if (loud) out.push(figure(t('report.loudTimeline'), [{ name: 'dBFS', points: loud }], { xUnit: 's' }));
  /* Emotion only when the report contains it (company policy on): {labels, probabilities:
   * one row of class probabilities per second, null where no face}; never scored. */
  const emo = tl.emotion;
  if (emo && Array.isArray(emo.labels) && Array.isArray(emo.probabilities)) {
    const step = tl.step_s || 1;
    const lines = emo.labels.map((label, k) => ({ name: label, points: emo.probabilities.map((row, i) => [i * step, row ? row[k] : null]),
      cls: `series s${k % 7}` }));
    out.push(h('div', { class: 'emotion' }, h('p', { class: 'hint' }, badge(t('report.notScored')), ' ', t('report.emotionNote')),
      figure(t('report.emotionTimeline'), lines, { yMin: 0, yMax: 1, xUnit: 's' }, h('div', { class: 'legend' }, emo.labels.map((l, k) => h('span', {}, h('i', { class: `s${k % 7}` }), l))))));
  }
  out.push(speakingTime(r));
  return h('div', { class: 'chart-grid' }, out);
}

function speakingTime(r) {
  const m = (r.metrics || {}).speaking_time_ratio;
  const dur = r.media && r.media.duration_s;
  if (!m || m.value === null || !dur) return null;
  const speak = m.value * dur;
  return h('figure', {}, h('figcaption', {}, t('report.speakingTime')),
    barChart([{ label: t('report.speaking'), value: speak }, { label: t('report.silent'), value: dur - speak }], { title: t('report.speakingTime'), max: dur, unit: 's' }));
}

export function transcriptView(tr) {
  if (!tr || tr.status !== 'ok') return unavailable((tr && tr.reason) || t('report.noTranscript'));
  const words = tr.words || [];
  const filler = new Map();
  for (const f of tr.fillers || []) for (let i = 0; i < (f.words || 1); i++) filler.set(f.index + i, f.kind);
  const p = h('p', { class: 'transcript' });
  words.forEach((w, i) => {
    const title = `${fmtNum(w.start, 2)}–${fmtNum(w.end, 2)} s · ${t('report.confidence')} ${fmtNum(w.conf, 2)}`;
    p.append(filler.has(i) ? h('mark', { class: 'filler', title: `${t('report.filler')} (${filler.get(i)}) · ${title}` }, w.w) : h('span', { title }, w.w), ' ');
  });
  if (!words.length) p.append(tr.text || '');
  return h('div', {}, h('div', { class: 'meta' }, h('span', {}, tr.engine || ''), h('span', {}, `${t('report.meanConfidence')}: ${fmtNum(tr.mean_confidence, 2)}`),
    tr.low_confidence ? badge(t('report.lowConfidence'), 'warn') : null, h('span', {}, h('mark', { class: 'filler' }, t('report.filler')))), p);
}

function perQuestion(r) {
  const qs = r.per_question || [];
  if (!qs.length) return empty(t('report.noQuestions'));
  const names = ['eye_contact_ratio', 'speaking_time_ratio', 'speech_rate_wpm', 'fillers_per_min'];
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('report.question')), h('th', { scope: 'col' }, t('report.span')),
      names.map((n) => h('th', { scope: 'col', class: 'num' }, t('metric.' + n))))),
    h('tbody', {}, qs.map((q, i) => h('tr', {}, h('td', {}, q.text || q.question || `#${(q.index ?? i) + 1} (${q.id ?? ''})`,
      q.transcript && q.transcript.text ? h('div', { class: 'hint' }, q.transcript.text) : null),
      h('td', {}, `${fmtNum(q.start_s ?? q.start, 1)}–${fmtNum(q.end_s ?? q.end, 1)} s`),
      names.map((n) => {
        const m = (q.metrics || {})[n];
        const v = !m || m.value === null || m.value === undefined ? '—' : m.unit === 'ratio' ? fmtNum(m.value * 100, 0) + '%' : fmtNum(m.value, 1);
        return h('td', { class: 'num', title: m ? metricTitle(n, m) : '' }, v);
      }))))));
}

export function reportView(r) {
  const metrics = r.metrics || {};
  const scoring = r.scoring || {};
  return h('div', { class: 'report' },
    h('div', { class: 'note' }, h('strong', {}, t('report.notScored')), ' — ', t('report.notScoredLead'),
      scoring.rubric ? ' ' + t('report.rubric', { name: scoring.rubric, version: scoring.version || '' }) : ''),
    h('div', { class: 'meta' }, r.media ? h('span', {}, t('report.duration', { s: fmtNum(r.media.duration_s, 1) })) : null,
      Object.entries(r.analyses || {}).map(([k, v]) => h('span', { title: v.reason || '' }, `${t('analysis.' + k)}: `, badge(t('part.' + v.status.replace(/ /g, '_')), v.status === 'ok' ? 'ok' : 'neutral')))),
    GROUPS.map(([title, names]) => {
      const present = names.filter((n) => metrics[n]);
      return present.length ? h('section', { class: 'card' }, h('h2', {}, t(title)), h('div', { class: 'metrics' }, present.map((n) => metricCard(n, metrics[n])))) : null;
    }),
    h('section', { class: 'card' }, h('h2', {}, t('report.timelines')), isBlind() ? h('p', { class: 'hint' }, t('blind.videoHidden')) : null, timelines(r)),
    h('section', { class: 'card' }, h('h2', {}, t('report.transcript')), transcriptView(r.transcript)),
    h('section', { class: 'card' }, h('h2', {}, t('report.perQuestion')), perQuestion(r)));
}

function gradeView(g) {
  if (!g) return null;
  const total = g.total ?? g.score ?? (g.result && g.result.total);
  return h('section', { class: 'card' }, h('h2', {}, t('report.grade')), h('p', { class: 'hint' }, t('report.gradeLead')),
    typeof total === 'number' ? h('div', { class: 'metric' }, h('div', { class: 'u' }, t('report.gradeTotal')), h('div', { class: 'v' }, fmtNum(total))) : null,
    (g.items || g.components || []).length ? h('ul', {}, (g.items || g.components).map((c) => h('li', {}, `${c.name || c.key}: ${fmtNum(c.score ?? c.value)}`, c.reason_ko || c.reason ? h('span', { class: 'hint' }, ' — ' + (c.reason_ko || c.reason)) : null))) : null);
}

export async function render(root, ctx) {
  if (!requireRole(ctx, ctx.roles.recruiter)) return;
  const id = ctx.params.id;
  root.append(h('p', {}, h('a', { href: `#/recruit/applications/${id}` }, '← ' + t('report.back'))), h('h1', {}, t('report.title')));
  if (!(await hasFeature('report'))) { root.append(unavailable(t('report.unavailable'))); return; }
  const app = await api(ROUTES.application, { params: { id } });
  await applyJobBlind(app.job_id);
  const list = await api(OPTIONAL.analyses, { params: { id } });
  if (!list.items.length) { root.append(h('div', { class: 'card' }, empty(t('report.noAnswers')))); return; }
  for (const item of list.items) {
    const a = await api(OPTIONAL.analysis, { params: { id: item.id } });
    const head = h('h2', {}, t('report.answerN', { n: (a.question_id ?? item.question_id) + 1 }), ' ', badge(t('analysisStatus.' + a.status), a.status === 'done' ? 'ok' : 'neutral'));
    root.append(head);
    // the backend relays the video service's analysis record; the document is its "result"
    const doc = a.report && (a.report.result || a.report);
    if (a.status !== 'done' || !doc || !doc.metrics) { root.append(h('p', { class: 'hint' }, a.error || t('report.notReady'))); continue; }
    root.append(reportView(doc));
    const grade = gradeView(a.grade);
    if (grade) root.append(grade);
    else if (a.grade_status) root.append(h('p', { class: 'hint' }, t('report.gradeStatus', { s: a.grade_status })));
  }
}
