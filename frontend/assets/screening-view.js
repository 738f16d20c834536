/*
 * screening-view.js — the agent's screening evidence and resume insights as the backend
 * relays them: per criterion the score, weight, matched skills, required items missing,
 * years of experience and the resume sentences that matched, with the reason the agent
 * wrote (Korean or English); highlights (sentences tagged skill_fit, experience, value_fit,
 * mismatch, negative_tone with their reasons) and similarity warnings (the most similar
 * other resumes above the threshold, with cosine and overlapping passages).
 * A suggestion is shown as the agent's suggestion; the decision stays with people.
 */
import { t, fmtNum, getLang } from './i18n.js';
import { h, badge, empty, unavailable } from './dom.js';

const reason = (o) => (o ? (getLang() === 'en' ? o.reason_en : o.reason_ko) || o.reason_ko || o.reason_en || '' : '');
const SUG = { pass: 'ok', hold: 'warn', fail: 'bad' };

export function suggestionBadge(s) { return s ? badge(t('screen.suggest.' + s), SUG[s] || 'neutral') : null; }

export function screeningView(sc) {
  if (!sc) return empty(t('screen.none'));
  const crit = sc.criteria || [];
  return h('div', { class: 'screening' },
    h('div', { class: 'metrics' },
      h('div', { class: 'metric', title: t('screen.totalDef') }, h('div', { class: 'u' }, t('screen.total')), h('div', { class: 'v' }, fmtNum(sc.total))),
      h('div', { class: 'metric' }, h('div', { class: 'u' }, t('screen.suggestion')), h('div', {}, suggestionBadge(sc.suggestion)), h('div', { class: 'hint' }, t('screen.peopleDecide')))),
    reason(sc) ? h('p', { class: 'prewrap' }, reason(sc)) : null,
    crit.map((c) => h('section', { class: 'criterion' },
      h('h3', {}, c.name, ' ', h('span', { class: 'hint' }, `${t('job.weight')} ${fmtNum(c.weight, 2)} · ${fmtNum(c.score)}${t('unit.points')}`)),
      h('div', { class: 'progress', title: `${fmtNum(c.score)} / 100` }, h('span', { style: `width:${Math.max(0, Math.min(100, c.score || 0))}%` })),
      reason(c) ? h('p', { class: 'hint prewrap' }, reason(c)) : null,
      h('div', { class: 'meta' }, (c.matched_skills || []).map((s) => badge(s.canonical || s.text || String(s), 'ok')),
        (c.required_missing || []).map((s) => badge(t('screen.missing', { s }), 'bad')),
        c.years ? h('span', {}, t('screen.years', { v: fmtNum(c.years.value), r: fmtNum(c.years.required) })) : null),
      (c.evidence || []).slice(0, 3).map((e) => h('blockquote', { class: 'highlight' }, e.text || String(e))))));
}

export function insightsView(ins) {
  const hl = ins.highlights || {};
  const sents = hl.sentences || [];
  const sim = ins.similar_resumes || {};
  const hits = (sim.hits || []).filter((x) => x.similar);
  return h('div', {},
    h('h3', {}, t('screen.similarity')),
    hits.length ? hits.map((x) => h('div', { class: 'state state-unavailable', role: 'note' },
      h('strong', {}, t('screen.similarWarn', { id: x.doc_id ?? x.id, c: fmtNum(x.cosine && x.cosine.value, 3) })),
      (x.passages || []).slice(0, 3).map((p) => h('div', { class: 'hint' }, `“${(p.a && p.a.text) || ''}” ≈ “${(p.b && p.b.text) || ''}” (${fmtNum(p.overlap, 2)})`))))
      : h('p', { class: 'hint' }, t('screen.noSimilar', { thr: fmtNum(sim.threshold, 2) })),
    ins.similarity_note ? h('p', { class: 'hint' }, ins.similarity_note) : null,
    h('h3', {}, t('screen.highlights')),
    hl.status === 'unavailable' ? unavailable(hl.reason || '') : null,
    sents.length ? sents.map((s) => h('div', { class: 'highlight' }, s.text,
      h('div', { class: 'meta' }, (s.tags || []).map((tg) => h('span', { title: reason(tg) }, badge(t('screen.tag.' + tg.tag), tg.tag === 'mismatch' || tg.tag === 'negative_tone' ? 'warn' : 'info')))),
      (s.tags || []).map((tg) => (reason(tg) ? h('div', { class: 'hint' }, reason(tg)) : null))))
      : empty(t('screen.noHighlights')));
}
