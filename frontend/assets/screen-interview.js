/*
 * screen-interview.js — the applicant's AI interview and their rights afterwards.
 *
 * Flow: consent first (the server's versioned consent texts per analysis type: what is
 * analysed, who sees it, how long it is kept; consent per type; the non-AI alternative),
 * then an optional practice question recorded and played back only in this browser (never
 * uploaded, never scored), then each question with its time limit. An answer is recorded
 * with MediaRecorder, kept in IndexedDB (recorder.js) and sent with the resumable upload
 * (create → PUT chunks at Upload-Offset → on 409 or a dropped connection continue from the
 * server's offset), removed locally only once the server has the whole file; then the
 * analysis progress is followed over Server-Sent Events. The rights view lists the
 * transcripts (with corrections) and sends explanation / re-review / statement requests.
 * Each part calls only routes the live OpenAPI document offers (api.js hasFeature); where a
 * feature is missing the page says so instead of pretending.
 */
import { api, ROUTES, OPTIONAL, hasFeature, streamEvents } from './api.js';
import { t, getLang, fmtDate } from './i18n.js';
import { h, field, errorBox, submitting, unavailable, errorState, announce, empty, badge } from './dom.js';
import { requireRole } from './app.js';
import { Recorder, pickMime, AnswerStore, uploadWithRetry } from './recorder.js';
import { stageName } from './labels.js';
import { transcriptView } from './screen-report.js';

const TYPES = ['video_behaviour', 'speech', 'answer_grading', 'emotion'];
const PRACTICE_LIMIT_S = 30;
const CHUNK = 1 << 20;
const epoch = (iso) => Math.floor(new Date(iso).getTime() / 1000);

/* Server consent texts grouped by type in the current language (Korean fallback). */
function textsByType(consent) {
  const out = {};
  for (const x of consent.texts || []) {
    if (!out[x.analysis_type] || x.lang === getLang()) out[x.analysis_type] = x;
  }
  return out;
}

function consentForm(app, consent, onDone) {
  const texts = consent ? textsByType(consent) : null;
  const types = texts ? TYPES.filter((k) => texts[k]) : TYPES.slice(0, 3);
  const info = (key) => h('section', {}, h('h3', {}, t(`consent.${key}.title`)), h('p', {}, t(`consent.${key}.body`)));
  const typeBox = (k) => h('div', { class: 'consent-type' }, field({ name: `consent.${k}`, label: t(`consent.type.${k}`), type: 'checkbox', hint: t(`consent.typeHint.${k}`) }),
    texts ? h('dl', { class: 'kv small' }, h('dt', {}, t('consent.whatShort')), h('dd', {}, texts[k].what), h('dt', {}, t('consent.whoShort')), h('dd', {}, texts[k].who_sees),
      h('dt', {}, t('consent.keptShort')), h('dd', {}, texts[k].kept)) : null);
  const form = h('form', { novalidate: true }, errorBox(),
    h('fieldset', { 'data-path': 'types' }, h('legend', {}, t('consent.choose')), types.map(typeBox)),
    h('p', { class: 'hint' }, t('consent.withdraw')),
    consent ? h('p', { class: 'hint' }, t('consent.version', { v: consent.version })) : h('p', { class: 'note' }, t('consent.notStored')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('consent.continue'))));
  submitting(form, async (fd) => {
    const chosen = types.filter((k) => fd.get(`consent.${k}`) === 'on');
    if (consent) {
      if (!chosen.length) throw { field: 'types', message: t('consent.pickOne') };
      await api(OPTIONAL.consentGrant, { params: { id: app.id }, body: { types: chosen } });
      announce(t('consent.saved'));
    }
    onDone(chosen);
  });
  const alt = consent && consent.offers_non_ai !== false ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: async (e) => {
    e.currentTarget.disabled = true;
    try { await api(OPTIONAL.aiChoice, { params: { id: app.id }, body: { ai_declined: true } }); altMsg.replaceChildren(h('p', { class: 'note' }, t('consent.altChosen'))); } catch (err) { altMsg.replaceChildren(errorState(err)); e.target.disabled = false; }
  } }, t('consent.chooseAlt'))) : null;
  const altMsg = h('div', { 'aria-live': 'polite' });
  return h('div', {}, h('h1', {}, t('interview.title', { job: app.job_title })), h('p', { class: 'subtitle' }, t('consent.lead')),
    h('div', { class: 'cols' }, h('div', { class: 'card' }, h('h2', {}, t('consent.title')), form),
      h('div', { class: 'card' }, info('what'), info('who'), info('retention'), info('rights'), info('alternative'), alt, altMsg)));
}

/* Camera preview + one recording at a time. */
function recorderPanel(title, lead, limitS, onRecorded, once, audioOnly) {
  const video = h('video', { playsinline: true, muted: true, autoplay: true, 'aria-label': t('interview.preview') });
  const rec = new Recorder(video);
  const box = h('div', { class: 'video-box' }, video, h('span', { class: 'video-off', 'aria-hidden': 'true' }, t('interview.cameraOff')));
  const timer = h('span', { class: 'timer', role: 'timer' }, `0 / ${limitS}s`);
  const bar = h('span', {});
  const status = h('p', { role: 'status', 'aria-live': 'polite' });
  const out = h('div', { 'aria-live': 'polite' });
  const startBtn = h('button', { type: 'button', class: 'btn btn-primary' }, t('interview.record'));
  const stopBtn = h('button', { type: 'button', class: 'btn', disabled: true }, t('interview.stop'));
  startBtn.addEventListener('click', async () => {
    try {
      await rec.open(!!audioOnly);
      box.classList.add('live');
      startBtn.disabled = true; stopBtn.disabled = false;
      status.replaceChildren(h('span', { class: 'rec-dot', 'aria-hidden': 'true' }), t('interview.recording'));
      const res = await rec.record(limitS, (s) => {
        timer.textContent = `${Math.min(limitS, Math.floor(s))} / ${limitS}s`;
        bar.style.width = `${Math.min(100, (s / limitS) * 100)}%`;
      });
      status.textContent = t('interview.recorded', { s: (res.duration_ms / 1000).toFixed(1) });
      stopBtn.disabled = true;
      rec.close();
      box.classList.remove('live');
      await onRecorded(res, out);
      if (!once) startBtn.disabled = false;
    } catch (err) {
      status.replaceChildren(errorState({ message: t('interview.cameraError', { reason: err.message || err.name }) }));
      startBtn.disabled = false; stopBtn.disabled = true;
    }
  });
  stopBtn.addEventListener('click', () => rec.stop());
  window.addEventListener('hashchange', () => rec.close(), { once: true });
  return h('section', { class: 'card' }, h('h2', {}, title), lead,
    pickMime() ? null : unavailable(t('interview.noRecorder')),
    h('div', { class: 'cols cols-even' }, box,
      h('div', {}, timer, h('div', { class: 'progress', 'aria-hidden': 'true' }, bar), status, h('div', { class: 'actions' }, startBtn, stopBtn), out)));
}

function practice() {
  return recorderPanel(t('interview.practiceTitle'), [h('p', {}, t('interview.practiceLead')),
    h('blockquote', { class: 'highlight' }, t('interview.practiceQuestion'), ' ', h('span', { class: 'hint' }, t('interview.limit', { s: PRACTICE_LIMIT_S })))],
  PRACTICE_LIMIT_S, async (res, out) => {
    out.replaceChildren(h('h3', {}, t('interview.playback')),
      h('video', { controls: true, src: URL.createObjectURL(res.blob), class: 'practice-playback', dataset: { bytes: res.blob.size, ms: res.duration_ms } }),
      h('p', { class: 'hint' }, t('interview.practiceKept', { s: (res.duration_ms / 1000).toFixed(1), kb: Math.round(res.blob.size / 1024) })));
    announce(t('interview.practiceDone'));
  });
}

/* Send a stored answer; resumes from the server's offset. Returns the answer id. */
async function upload(appId, key, onProgress) {
  const st = await AnswerStore.get(key);
  if (!st.upload_id) {
    const u = await uploadWithRetry(() => api(OPTIONAL.uploadCreate, { params: { id: appId },
      body: { question_id: st.question_id, size: st.blob.size, started_at: st.started_at, ended_at: st.ended_at } }));
    st.upload_id = u.upload_id;
    await AnswerStore.put(key, st);
  }
  const status = () => uploadWithRetry(() => api(OPTIONAL.uploadStatus, { params: { upload_id: st.upload_id } }));
  let s = await status();
  while (!s.complete && s.offset < st.blob.size) {
    const offset = s.offset;
    onProgress(offset / st.blob.size);
    try {
      s = await uploadWithRetry(() => api(OPTIONAL.uploadPut, { params: { upload_id: st.upload_id }, body: st.blob.slice(offset, offset + CHUNK),
        headers: { 'Upload-Offset': String(offset), 'Content-Type': 'application/octet-stream' } }));
    } catch (err) {
      if (err.status !== 409) throw err;
      s = await status(); // someone (an earlier try) got further: continue from the server's offset
    }
  }
  if (!s.answer_id) s = await status();
  onProgress(1);
  await AnswerStore.remove(key);
  return s.answer_id;
}

/* Follow an answer's analysis until it ends; returns the final analysis record. */
async function follow(answerId, line) {
  const show = (text) => line.replaceChildren(text);
  const first = await api(OPTIONAL.analysis, { params: { id: answerId } });
  if (first.status !== 'requested' && first.status !== 'running') return first; // nothing to follow
  try {
    await streamEvents(OPTIONAL.analysisEvents, { params: { id: answerId } }, (ev) => {
      let d = ev.data;
      try { d = JSON.parse(ev.data); } catch { /* plain text */ }
      const pct = d && typeof d === 'object' && typeof d.progress === 'number' ? Math.round(d.progress * (d.progress <= 1 ? 100 : 1)) : null;
      const stage = d && typeof d === 'object' ? d.stage || d.status || '' : String(d);
      show(pct !== null ? t('interview.progressPct', { p: pct, stage }) : t('interview.progress', { stage: stage || ev.event }));
    });
  } catch (err) { show(errorState(err)); }
  return api(OPTIONAL.analysis, { params: { id: answerId } });
}

function analysisLine(a) {
  const kind = { done: 'ok', failed: 'bad', unavailable: 'warn', not_consented: 'neutral' }[a.status] || 'info';
  return h('span', {}, badge(t('analysisStatus.' + a.status), kind), a.error ? h('span', { class: 'hint' }, ' ' + a.error) : null);
}

async function scored(container, app) {
  const box = h('section', { class: 'card', 'aria-labelledby': 'scored-h' }, h('h2', { id: 'scored-h' }, t('interview.scoredTitle')));
  container.append(box);
  if (!(await hasFeature('interview'))) { box.append(unavailable(t('interview.unavailable'))); return; }
  const iv = await api(OPTIONAL.interview, { params: { id: app.id } });
  const takes = new Map();
  for (const a of iv.answers || []) takes.set(a.question_id, [...(takes.get(a.question_id) || []), a]);
  if (!iv.questions.length) { box.append(empty(t('interview.noQuestions'))); return; }
  const acc = iv.accommodation || {};
  const mode = acc.answer_mode || 'video';
  box.append(h('p', { class: 'hint' }, t('interview.scoredLead')));
  if (acc.extra_time_factor > 1 || acc.extra_retakes > 0 || mode !== 'video')
    box.append(h('p', { class: 'note' }, t('interview.accommodations', { f: acc.extra_time_factor, r: acc.extra_retakes || 0, m: t('answerMode.' + mode) })));
  if (mode === 'text') { box.append(unavailable(t('interview.textMode'))); return; }
  for (const q of iv.questions) {
    const key = `${app.id}:${q.question_id}`;
    const limit = q.effective_time_limit_s || q.time_limit_s;
    const mine = takes.get(q.question_id) || [];
    const prev = mine[mine.length - 1];
    const retakesLeft = (q.allowed_retakes || 0) + 1 - mine.length;
    const state = h('div', { class: 'answer-state', 'aria-live': 'polite', dataset: { question: q.question_id } });
    const item = h('div', { class: 'question' }, h('h3', {}, t('interview.questionN', { n: q.question_id + 1 }), ' ',
      badge(t('interview.limit', { s: limit }), 'info'), limit > q.time_limit_s ? ' ' + t('interview.extraTime', { s: q.time_limit_s }) : ''),
      h('p', {}, q.text), state);
    box.append(item);
    const send = async (progressLine) => {
      const bar = h('span', {});
      progressLine.replaceChildren(h('div', { class: 'progress' }, bar), h('p', { class: 'hint' }, t('interview.uploading')));
      const answerId = await upload(app.id, key, (f) => { bar.style.width = `${Math.round(f * 100)}%`; });
      const line = h('p', { role: 'status' }, t('interview.uploaded'));
      progressLine.replaceChildren(line);
      announce(t('interview.uploaded'));
      const a = await follow(answerId, line);
      progressLine.replaceChildren(h('p', { class: 'analysis-final' }, t('interview.analysis'), ' ', analysisLine(a)),
        a.status === 'done' ? h('a', { href: `#/interview/${app.id}?view=rights` }, t('interview.readTranscript')) : null);
    };
    if (prev) state.append(h('p', {}, t('interview.answered', { date: fmtDate(prev.created_at, true) }), ' ', analysisLine(prev)));
    if (prev && retakesLeft <= 0) continue;
    if (await AnswerStore.get(key)) {
      // a recorded answer that never reached the server (reload, dropped connection)
      const retry = h('button', { type: 'button', class: 'btn btn-primary', onclick: () => send(state).catch((err) => state.append(errorState(err))) }, t('interview.resume'));
      state.append(h('p', { class: 'note' }, t('interview.pendingLocal')), retry);
      continue;
    }
    const open = h('button', { type: 'button', class: prev ? 'btn' : 'btn btn-primary', onclick: () => {
      open.remove();
      state.append(recorderPanel(t('interview.answerTitle'), null, limit, async (res, out) => {
        await AnswerStore.put(key, { question_id: q.question_id, blob: res.blob, started_at: epoch(res.started_at), ended_at: Math.max(epoch(res.ended_at), epoch(res.started_at)) });
        await send(out).catch((err) => out.append(errorState(err), h('p', { class: 'hint' }, t('interview.keptLocally'))));
      }, true, mode === 'audio'));
    } }, prev ? t('interview.retake', { n: retakesLeft }) : t('interview.startAnswer'));
    state.append(open);
  }
}

async function rights(root, app) {
  root.append(h('h1', {}, t('rights.title')), h('p', { class: 'subtitle' }, app.job_title + ' · ' + stageName(app.current_stage)));
  if (!(await hasFeature('rights'))) { root.append(h('section', { class: 'card' }, unavailable(t('rights.unavailable')))); return; }
  const [tr, reqs] = await Promise.all([api(OPTIONAL.transcripts, { params: { id: app.id } }), api(OPTIONAL.rightsRequests, { params: { id: app.id } })]);
  const trBox = h('section', { class: 'card' }, h('h2', {}, t('rights.transcript')), h('p', { class: 'hint' }, t('rights.lead')));
  // the interview answers' own reports (read-only) when the interview feature is there
  const answers = (await hasFeature('interview')) ? (await api(OPTIONAL.analyses, { params: { id: app.id } })).items : [];
  for (const item of answers) {
    const a = await api(OPTIONAL.analysis, { params: { id: item.id } });
    const doc = a.report && (a.report.result || a.report);
    trBox.append(h('h3', {}, t('report.answerN', { n: (a.question_id ?? 0) + 1 }), ' ', badge(t('analysisStatus.' + a.status))),
      doc && doc.transcript ? transcriptView(doc.transcript) : h('p', { class: 'hint' }, a.error || t('report.notReady')));
  }
  if (!tr.items.length && !answers.length) trBox.append(empty(t('rights.noTranscripts')));
  for (const x of tr.items) {
    trBox.append(h('h3', {}, t('rights.analysisN', { id: x.analysis_id }), ' ', badge(x.status)), transcriptView(x.transcript || { status: 'unavailable' }));
    (x.corrections || []).forEach((c) => trBox.append(h('p', { class: 'highlight' }, t('rights.corrected', { seg: c.segment }), ' ', c.corrected)));
    if (x.transcript) {
      const form = h('form', { class: 'form', novalidate: true }, errorBox(),
        field({ name: 'segment', label: t('rights.segment'), type: 'number', min: 0, value: 0, hint: t('rights.segmentHint') }),
        field({ name: 'text', label: t('rights.correctText'), type: 'textarea', rows: 2, required: true }),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('rights.correct'))));
      submitting(form, async (fd) => {
        await api(OPTIONAL.correction, { params: { id: app.id, analysis_id: x.analysis_id }, body: { segment: Number(fd.get('segment')), text: fd.get('text') } });
        announce(t('common.saved'));
        form.reset();
      });
      trBox.append(form);
    }
  }
  const out = h('div', { 'aria-live': 'polite' });
  const req = h('form', { class: 'form', novalidate: true }, errorBox(),
    field({ name: 'kind', label: t('rights.kind'), type: 'select', options: ['explanation', 're_review', 'statement'].map((k) => [k, t('rights.kind.' + k)]) }),
    field({ name: 'statement', label: t('rights.statement'), type: 'textarea', rows: 3, hint: t('rights.statementHint') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('rights.send'))));
  const list = h('div', {});
  const showList = (items) => list.replaceChildren(items.length ? h('ul', { class: 'list' }, items.map((r) => h('li', {},
    h('div', { class: 'grow' }, h('strong', {}, t('rights.kind.' + r.kind)), r.statement ? ` — ${r.statement}` : '', r.response ? h('p', { class: 'hint prewrap' }, r.response) : null),
    badge(t('requestStatus.' + r.status), r.status === 'open' ? 'warn' : 'ok'), h('span', { class: 'meta' }, t('rights.deadline', { date: fmtDate(r.deadline_at) }))))) : empty(t('rights.noRequests')));
  showList(reqs.items);
  submitting(req, async (fd) => {
    const body = { kind: fd.get('kind') };
    if (fd.get('statement')) body.statement = fd.get('statement');
    const r = await api(OPTIONAL.rightsRequest, { params: { id: app.id }, body });
    out.replaceChildren(h('p', { class: 'note' }, t('rights.sent', { date: fmtDate(r.deadline_at, true) })));
    req.reset();
    showList((await api(OPTIONAL.rightsRequests, { params: { id: app.id } })).items);
  });
  root.append(h('div', { class: 'cols' }, trBox, h('section', { class: 'card' }, h('h2', {}, t('rights.requests')), req, out, list)));
}

export async function render(root, ctx) {
  if (!requireRole(ctx, ctx.roles.applicant)) return;
  const app = await api(ROUTES.application, { params: { id: ctx.params.id } });
  root.append(h('p', {}, h('a', { href: `#/me/applications/${app.id}` }, '← ' + app.job_title)));
  if (ctx.query.get('view') === 'rights') { await rights(root, app); return; }
  const consent = (await hasFeature('consent')) ? await api(OPTIONAL.consent, { params: { id: app.id } }) : null;
  const body = h('div', {});
  root.append(body);
  const proceed = async (chosen) => {
    body.replaceChildren(h('h1', {}, t('interview.title', { job: app.job_title })),
      h('div', { class: 'note', role: 'status' }, t(consent ? 'consent.summaryStored' : 'consent.summary', { list: chosen.map((k) => t(`consent.type.${k}`)).join(', ') || t('consent.noneChosen') })),
      consent ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn btn-small', onclick: async (e) => {
        if (!confirm(t('consent.withdrawConfirm'))) return;
        e.currentTarget.disabled = true;
        await api(OPTIONAL.consentWithdraw, { params: { id: app.id }, body: {} });
        announce(t('consent.withdrawn'));
        location.reload();
      } }, t('consent.withdrawButton'))) : null);
    body.append(practice());
    await scored(body, app);
  };
  const cur = consent && consent.current;
  const given = cur ? TYPES.filter((k) => cur[k]) : [];
  if (given.length) await proceed(given);
  else body.append(consentForm(app, consent, proceed));
}
