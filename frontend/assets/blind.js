/*
 * blind.js — blind-review mode for recruiters and interviewers: names, e-mail addresses
 * and faces are replaced by "Applicant #id" everywhere a screen asks displayName(). The
 * switch is per browser (localStorage), and a job whose trust settings say blind_review
 * forces it on that job's screens. It hides identity in the UI only — the server still
 * sends the fields, so it is a reviewing aid, not an access control.
 */
import { t } from './i18n.js';
import { h } from './dom.js';
import { api, OPTIONAL, hasFeature } from './api.js';

const KEY = 'kocruit.blind';
let forced = false;
/* A job set to blind review forces the mode on its screens (set per render). */
export function forceBlind(on) { forced = !!on; }
export const isBlind = () => forced || localStorage.getItem(KEY) === '1';

/* Apply a job's blind-review setting (when the server offers job trust settings). */
export async function applyJobBlind(jobId) {
  forced = false;
  if (!(await hasFeature('jobTrust'))) return;
  const tr = await api(OPTIONAL.jobTrust, { params: { id: jobId } }).catch(() => null);
  forced = !!(tr && tr.blind_review);
}

export function displayName(a) {
  if (isBlind()) return t('blind.applicant', { id: a.id ?? a.application_id ?? '' });
  return a.applicant_name || a.name || t('blind.applicant', { id: a.id });
}

export function blindToggle(onChange) {
  const id = 'blind-toggle';
  const box = h('input', { type: 'checkbox', id, checked: isBlind(), disabled: forced, 'aria-describedby': forced ? id + '-why' : null,
    onchange: (e) => { localStorage.setItem(KEY, e.target.checked ? '1' : '0'); onChange(); } });
  return h('div', { class: 'field-check blind-switch' }, box, h('label', { for: id, title: t('blind.hint') }, t('blind.mode')),
    forced ? h('p', { class: 'hint', id: id + '-why' }, t('blind.forced')) : null);
}
