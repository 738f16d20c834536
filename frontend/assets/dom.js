/*
 * dom.js — small DOM helpers shared by every screen: an element builder that only ever
 * creates text nodes from data (no innerHTML with server strings, so no injection), labelled
 * form fields with per-field error slots, the form error summary, loading and empty states.
 *
 * Error display contract: showError(form, err) writes err.message into the form's
 * role="alert" summary and, when err.field names an input (by name, or by data-path for
 * nested paths like "sections.experience[2].start" — then by its first segment), marks it
 * aria-invalid, writes the message under it and focuses it.
 */
import { t } from './i18n.js';

let uid = 0;
export const nextId = (p = 'f') => `${p}-${++uid}`;

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && 'value' in el) el.value = v;
    else if (k === 'checked' || k === 'selected') { el[k] = true; el.setAttribute(k, ''); } // attribute too: form.reset() keeps it
    else if (k === 'disabled' || k === 'required' || k === 'multiple') el[k] = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }

/* A labelled field. opts: {name, label, type, value, required, options:[[v,label]], hint,
 * rows, min, max, step, placeholder, autocomplete, path} */
export function field(opts) {
  const id = nextId(opts.name || 'f');
  const errId = id + '-err';
  const hintId = opts.hint ? id + '-hint' : null;
  const common = {
    id, name: opts.name, required: opts.required, 'aria-describedby': [hintId, errId].filter(Boolean).join(' '),
    autocomplete: opts.autocomplete, placeholder: opts.placeholder, dataset: opts.path ? { path: opts.path } : undefined,
  };
  let input;
  if (opts.type === 'textarea') input = h('textarea', { ...common, rows: opts.rows || 4 }, opts.value ?? '');
  else if (opts.type === 'select') {
    input = h('select', common, (opts.options || []).map(([v, l]) => h('option', { value: v, selected: String(v) === String(opts.value ?? '') }, l)));
  } else {
    const value = opts.type === 'checkbox' ? 'on' : opts.value ?? ''; // a checked box submits "on"
    input = h('input', { ...common, type: opts.type || 'text', value, min: opts.min, max: opts.max, step: opts.step, accept: opts.accept, maxlength: opts.maxlength });
  }
  if (opts.type === 'checkbox') {
    input.checked = !!opts.value;
    return h('div', { class: 'field field-check' }, input, h('label', { for: id }, opts.label),
      hintId && h('p', { class: 'hint', id: hintId }, opts.hint), h('p', { class: 'field-error', id: errId }));
  }
  return h('div', { class: 'field' }, h('label', { for: id, class: opts.required ? 'is-required' : null }, opts.label),
    input, hintId && h('p', { class: 'hint', id: hintId }, opts.hint), h('p', { class: 'field-error', id: errId }));
}

export function errorBox() { return h('div', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' }); }

export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  const box = form.querySelector('.form-error');
  if (box) { box.textContent = ''; box.classList.remove('shown'); }
}

function findField(form, name) {
  if (!name) return null;
  const esc = (s) => (window.CSS && CSS.escape ? CSS.escape(s) : s);
  return form.querySelector(`[data-path="${esc(name)}"]`) || form.querySelector(`[name="${esc(name)}"]`) ||
    form.querySelector(`[name="${esc(name.split(/[.[]/)[0])}"]`);
}

export function showError(form, err) {
  clearErrors(form);
  const msg = messageOf(err);
  const box = form.querySelector('.form-error');
  if (box) { box.textContent = msg; box.classList.add('shown'); }
  const input = findField(form, err && err.field);
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    const slot = document.getElementById(input.id + '-err');
    if (slot) slot.textContent = msg;
    input.focus();
  }
}

export function messageOf(err) {
  if (!err) return t('error.unknown');
  if (err.code === 'network') return t('error.network');
  return err.message || t('error.unknown');
}

export function loading(label) {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), label || t('common.loading'));
}

export function errorState(err) {
  return h('div', { class: 'state state-error', role: 'alert' }, h('strong', {}, t('error.title')), ' ', messageOf(err));
}

export function unavailable(what) {
  return h('div', { class: 'state state-unavailable', role: 'note' }, h('strong', {}, t('common.unavailable')), ' ', what);
}

export function empty(text) { return h('p', { class: 'state state-empty' }, text); }

/* Run an async submit handler with the button disabled and errors shown on the form. */
export function submitting(form, fn) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const btn = form.querySelector('button[type="submit"]');
    clearErrors(form);
    if (btn) btn.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try { await fn(new FormData(form), ev); } catch (err) { showError(form, err); } finally {
      if (btn) btn.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}

/* Announce a short message in the global live region. */
export function announce(text) {
  const live = document.getElementById('live');
  if (!live) return;
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 30);
}

export function badge(text, kind) { return h('span', { class: `badge badge-${kind || 'neutral'}` }, text); }

export function link(href, text, cls) { return h('a', { href, class: cls }, text); }
