/*
 * screen-resume.js — an applicant's resumes: upload (PDF, text or JSON; the backend detects
 * the type from the bytes) and review/correct the parsed sections. The editor mirrors the
 * backend's sections shape exactly (sections.h): range items {title,start,end,current,
 * details[]}, skills [string], dated items {name,date[,issuer]}, other {heading,lines[]}.
 * Every input carries data-path = the JSON path the validator names in its errors
 * ("sections.experience[2].start"), so a 400 highlights the right box.
 */
import { api, ROUTES } from './api.js';
import { t, fmtDate } from './i18n.js';
import { h, field, errorBox, submitting, empty, announce, badge } from './dom.js';
import { requireRole } from './app.js';

const RANGE = ['experience', 'education', 'projects'];
const DATED = ['certificates', 'awards'];

export async function list(root, ctx) {
  if (!requireRole(ctx, ctx.roles.applicant)) return;
  const data = await api(ROUTES.resumes);
  const next = ctx.query.get('next');
  const form = h('form', { class: 'form', novalidate: true }, errorBox(),
    field({ name: 'file', label: t('resume.file'), type: 'file', required: true, accept: '.pdf,.txt,.json,application/pdf,text/plain,application/json', hint: t('resume.fileHint') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('resume.upload'))));
  submitting(form, async (fd) => {
    const file = fd.get('file');
    if (!file || !file.size) throw { field: 'file', message: t('resume.chooseFile') };
    const body = new FormData();
    body.append('file', file, file.name);
    const r = await api(ROUTES.resumeUpload, { body });
    announce(t('resume.uploaded'));
    ctx.go(`/me/resumes/${r.id}` + (next ? '?next=' + encodeURIComponent(next) : ''));
  });
  const items = data.items.map((r) => h('li', {},
    h('div', { class: 'grow' }, h('a', { href: `#/me/resumes/${r.id}` }, r.filename || t('resume.untitled')),
      h('div', { class: 'meta' }, h('span', {}, r.source_kind.toUpperCase()), r.pages ? h('span', {}, t('resume.pages', { n: r.pages })) : null,
        h('span', {}, fmtDate(r.created_at, true)))),
    r.reviewed ? badge(t('resume.reviewed'), 'ok') : badge(t('resume.unreviewed'), 'warn')));
  root.append(h('h1', {}, t('resume.title')),
    h('div', { class: 'cols' },
      h('section', { class: 'card' }, h('h2', {}, t('resume.mine')), items.length ? h('ul', { class: 'list' }, items) : empty(t('resume.none'))),
      h('section', { class: 'card' }, h('h2', {}, t('resume.upload')), form)));
}

function rangeRow(sec, i, item, onRemove) {
  const p = `sections.${sec}[${i}]`;
  return h('div', { class: 'repeat-item range-item', dataset: { sec } },
    field({ name: `${sec}.title`, label: t('resume.itemTitle'), value: item.title || '', path: `${p}.title` }),
    field({ name: `${sec}.start`, label: t('resume.start'), value: item.start || '', placeholder: 'YYYY-MM', path: `${p}.start` }),
    field({ name: `${sec}.end`, label: t('resume.end'), value: item.end || '', placeholder: 'YYYY-MM', path: `${p}.end` }),
    field({ name: `${sec}.current`, label: t('resume.current'), type: 'checkbox', value: item.current, path: `${p}.current` }),
    h('div', { class: 'span-3' }, field({ name: `${sec}.details`, label: t('resume.details'), type: 'textarea', rows: 2, value: (item.details || []).join('\n'), path: `${p}.details` })),
    h('button', { type: 'button', class: 'btn btn-small', onclick: onRemove, 'aria-label': t('common.remove') + ' ' + (item.title || '') }, t('common.remove')));
}

function datedRow(sec, i, item, onRemove) {
  const p = `sections.${sec}[${i}]`;
  const row = h('div', { class: 'repeat-item repeat-s', dataset: { sec, issuer: item.issuer || '' } },
    field({ name: `${sec}.name`, label: t('resume.itemName'), value: item.name || '', path: `${p}.name` }),
    field({ name: `${sec}.date`, label: t('resume.date'), value: item.date || '', placeholder: 'YYYY-MM', path: `${p}.date` }),
    h('button', { type: 'button', class: 'btn btn-small', onclick: onRemove }, t('common.remove')));
  return row;
}

/* Read the editor back into the backend's sections shape. */
function collect(form, other) {
  const out = { skills: [], other };
  const val = (row, name) => row.querySelector(`[name="${name}"]`);
  for (const sec of RANGE) {
    out[sec] = [...form.querySelectorAll(`.repeat-item[data-sec="${sec}"]`)].map((row) => ({
      title: val(row, `${sec}.title`).value.trim(),
      start: val(row, `${sec}.start`).value.trim() || null,
      end: val(row, `${sec}.end`).value.trim() || null,
      current: val(row, `${sec}.current`).checked,
      details: val(row, `${sec}.details`).value.split('\n').map((s) => s.trim()).filter(Boolean),
    }));
  }
  for (const sec of DATED) {
    out[sec] = [...form.querySelectorAll(`.repeat-item[data-sec="${sec}"]`)].map((row) => {
      const o = { name: val(row, `${sec}.name`).value.trim(), date: val(row, `${sec}.date`).value.trim() || null };
      if (row.dataset.issuer) o.issuer = row.dataset.issuer;
      return o;
    });
  }
  out.skills = form.querySelector('[name="skills"]').value.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
  return out;
}

export async function edit(root, ctx) {
  if (!requireRole(ctx, ctx.roles.applicant)) return;
  const r = await api(ROUTES.resume, { params: { id: ctx.params.id } });
  const sections = r.sections || r.parsed || {};
  const form = h('form', { class: 'form-wide', novalidate: true }, errorBox());
  const groups = {};
  const renumber = (sec) => {
    // keep data-path indices in step with the order after add/remove
    [...groups[sec].querySelectorAll('.repeat-item')].forEach((row, i) => {
      for (const el of row.querySelectorAll('[data-path]')) el.dataset.path = el.dataset.path.replace(/\[\d+\]/, `[${i}]`);
    });
  };
  const addRow = (sec, item) => {
    const make = RANGE.includes(sec) ? rangeRow : datedRow;
    const idx = groups[sec].querySelectorAll('.repeat-item').length;
    const row = make(sec, idx, item, () => { row.remove(); renumber(sec); });
    groups[sec].append(row);
  };
  for (const sec of [...RANGE, ...DATED]) {
    groups[sec] = h('div', {});
    const fs = h('fieldset', {}, h('legend', {}, t('section.' + sec)), groups[sec],
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => addRow(sec, {}) }, '+ ' + t('common.add')));
    form.append(fs);
    (sections[sec] || []).forEach((item) => addRow(sec, item));
  }
  form.append(h('fieldset', {}, h('legend', {}, t('section.skills')),
    field({ name: 'skills', label: t('resume.skills'), type: 'textarea', rows: 2, value: (sections.skills || []).join(', '), hint: t('resume.skillsHint'), path: 'sections.skills' })));
  const other = sections.other || [];
  if (other.length) {
    form.append(h('fieldset', {}, h('legend', {}, t('section.other')), h('p', { class: 'hint' }, t('resume.otherHint')),
      other.map((o) => h('div', { class: 'highlight' }, o.heading ? h('strong', {}, o.heading + ': ') : null, (o.lines || []).join(' / ')))));
  }
  const next = ctx.query.get('next');
  form.append(h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('resume.save')),
    next ? h('a', { class: 'btn', href: '#' + next }, t('resume.backToJob')) : null));
  submitting(form, async () => {
    await api(ROUTES.resumeSections, { params: { id: r.id }, body: { sections: collect(form, other) } });
    announce(t('resume.saved'));
    if (next && next.startsWith('/')) ctx.go(next); else ctx.go('/me/resumes');
  });
  root.append(h('p', {}, h('a', { href: '#/me/resumes' }, '← ' + t('resume.title'))),
    h('h1', {}, t('resume.editTitle', { name: r.filename || t('resume.untitled') })),
    h('p', { class: 'subtitle' }, t('resume.editLead')),
    h('div', { class: 'cols' }, h('div', { class: 'card' }, form),
      h('details', { class: 'card' }, h('summary', {}, t('resume.extracted')), h('pre', { class: 'prewrap pre-small' }, r.text || ''))));
}
