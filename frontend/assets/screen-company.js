/*
 * screen-company.js — the recruiter's company: profile (managers edit), departments,
 * members with their roles, and invitations. An invitation's code is shown once (the
 * backend returns it only to the inviting manager) with the join link to pass on.
 */
import { api, ROUTES, OPTIONAL, hasFeature } from './api.js';
import { t, fmtDate } from './i18n.js';
import { h, field, errorBox, submitting, empty, announce, badge } from './dom.js';
import { MEMBER_ROLES, roleName } from './labels.js';
import { requireRole, recruiterCompany, session } from './app.js';

export async function render(root, ctx) {
  if (!requireRole(ctx, ctx.roles.recruiter)) return;
  const m = recruiterCompany();
  const cid = m.company_id;
  const manager = m.role === 'manager';
  const [company, members, depts, invs] = await Promise.all([
    api(ROUTES.company, { params: { id: cid } }), api(ROUTES.members, { params: { id: cid } }),
    api(ROUTES.departments, { params: { id: cid } }),
    manager ? api(ROUTES.invitations, { params: { id: cid } }) : Promise.resolve(null)]);
  const reload = () => ctx.go('/recruit/company');
  const trust = (await hasFeature('policy')) ? await Promise.all([api(OPTIONAL.policy, { params: { id: cid } }), api(OPTIONAL.companyRequests, { params: { id: cid } })]) : null;

  const profile = h('form', { class: 'form', novalidate: true }, errorBox(),
    field({ name: 'name', label: t('company.name'), value: company.name, required: true }),
    field({ name: 'website', label: t('company.website'), type: 'url', value: company.website }),
    trust ? null : field({ name: 'jurisdiction', label: t('company.jurisdiction'), value: company.jurisdiction, hint: t('company.jurisdictionHint'), maxlength: 2 }),
    field({ name: 'description', label: t('company.description'), type: 'textarea', value: company.description }),
    manager ? h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save'))) : h('p', { class: 'hint' }, t('company.managerOnly')));
  if (!manager) for (const el of profile.querySelectorAll('input,textarea')) el.readOnly = true;
  submitting(profile, async (fd) => {
    await api(ROUTES.companyPut, { params: { id: cid }, body: Object.fromEntries(fd) });
    announce(t('common.saved'));
  });

  const memberRows = members.items.map((u) => {
    const self = u.user_id === session.user.id;
    const sel = h('select', { 'aria-label': t('company.roleOf', { name: u.name }), disabled: !manager || self,
      onchange: async (e) => {
        try { await api(ROUTES.memberPatch, { params: { id: cid, user_id: u.user_id }, body: { role: e.target.value } }); announce(t('common.saved')); } catch (err) { alert(err.message); reload(); }
      } }, MEMBER_ROLES.map((r) => h('option', { value: r, selected: r === u.role }, roleName(r))));
    return h('tr', {}, h('td', {}, u.name, self ? ' ' : null, self ? badge(t('company.you'), 'info') : null), h('td', {}, u.email), h('td', {}, sel),
      h('td', {}, manager && !self ? h('button', { type: 'button', class: 'btn btn-small', onclick: async () => {
        if (!confirm(t('company.removeConfirm', { name: u.name }))) return;
        try { await api(ROUTES.memberDelete, { params: { id: cid, user_id: u.user_id } }); reload(); } catch (err) { alert(err.message); }
      } }, t('common.remove')) : null));
  });

  const inviteOut = h('div', { 'aria-live': 'polite' });
  const invite = h('form', { class: 'form', novalidate: true }, errorBox(),
    h('div', { class: 'row' }, field({ name: 'email', label: t('auth.email'), type: 'email', required: true }),
      field({ name: 'role', label: t('company.role'), type: 'select', value: 'interviewer', options: MEMBER_ROLES.map((r) => [r, roleName(r)]) })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('company.invite'))));
  submitting(invite, async (fd) => {
    const inv = await api(ROUTES.invitationCreate, { params: { id: cid }, body: { email: fd.get('email'), role: fd.get('role') } });
    const url = `${location.origin}/#/invite?token=${encodeURIComponent(inv.token)}`;
    inviteOut.replaceChildren(h('div', { class: 'note' }, h('p', {}, t('company.invited', { email: inv.email, date: fmtDate(inv.expires_at) })),
      h('label', { for: 'inv-link' }, t('company.inviteLink')), h('input', { id: 'inv-link', readonly: true, value: url, class: 'invite-link' })));
    invite.reset();
  });

  const dept = h('form', { class: 'search', novalidate: true }, errorBox(), field({ name: 'name', label: t('company.newDept'), required: true }),
    h('button', { type: 'submit', class: 'btn' }, t('common.add')));
  submitting(dept, async (fd) => { await api(ROUTES.departmentCreate, { params: { id: cid }, body: { name: fd.get('name') } }); reload(); });

  root.append(h('h1', {}, company.name),
    h('div', { class: 'cols' },
      h('div', {},
        h('section', { class: 'card' }, h('h2', {}, t('company.members')), h('div', { class: 'table-wrap' }, h('table', {},
          h('thead', {}, h('tr', {}, ['auth.name', 'auth.email', 'company.role', 'common.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', {}, memberRows)))),
        manager ? h('section', { class: 'card' }, h('h2', {}, t('company.invitations')), invite, inviteOut,
          invs.items.length ? h('ul', { class: 'list' }, invs.items.map((i) => h('li', {}, h('span', { class: 'grow' }, i.email, ' · ', roleName(i.role)),
            i.accepted_at ? badge(t('company.joined'), 'ok') : badge(t('company.pendingUntil', { date: fmtDate(i.expires_at) }), 'info')))) : null) : null,
        trust ? requestsCard(trust[1], reload) : null),
      h('div', {},
        h('section', { class: 'card' }, h('h2', {}, t('company.profile')), profile),
        trust ? policyCard(cid, trust[0], manager) : null,
        h('section', { class: 'card' }, h('h2', {}, t('company.departments')),
          depts.items.length ? h('ul', { class: 'list' }, depts.items.map((d) => h('li', {}, d.name))) : empty(t('company.noDepts')),
          manager ? dept : null))));
}

/* Trust policy: jurisdiction, whether AI suggestions are shown, automated rejection and
 * emotion inference (the server refuses what the jurisdiction forbids), retention days. */
function policyCard(cid, p, manager) {
  const form = h('form', { novalidate: true }, errorBox(),
    field({ name: 'jurisdiction', label: t('policy.jurisdiction'), value: p.jurisdiction, hint: t('company.jurisdictionHint'), maxlength: 2 }),
    field({ name: 'show_suggestions', label: t('policy.showSuggestions'), type: 'checkbox', value: !!p.show_suggestions }),
    field({ name: 'automated_rejection', label: t('policy.automatedRejection'), type: 'checkbox', value: !!p.automated_rejection,
      hint: p.automated_rejection_allowed ? t('policy.automatedRejectionHint') : t('policy.notAllowed') }),
    field({ name: 'emotion_inference', label: t('policy.emotion'), type: 'checkbox', value: !!p.emotion_inference,
      hint: p.emotion_inference_allowed ? t('policy.emotionHint') : t('policy.notAllowed') }),
    h('div', { class: 'row' }, ['recordings', 'transcripts', 'analyses', 'resumes'].map((k) =>
      field({ name: `retention.${k}`, path: `retention.${k}`, label: t('policy.retention.' + k), type: 'number', min: 1, value: p[`retention_${k}_days`] }))),
    manager ? h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save'))) : h('p', { class: 'hint' }, t('company.managerOnly')));
  for (const [name, ok] of [['automated_rejection', p.automated_rejection_allowed], ['emotion_inference', p.emotion_inference_allowed]])
    if (!ok) form.querySelector(`[name="${name}"]`).disabled = true;
  if (!manager) for (const el of form.querySelectorAll('input')) el.disabled = true;
  submitting(form, async () => {
    const v = (n) => form.querySelector(`[name="${n}"]`);
    const body = { jurisdiction: v('jurisdiction').value.trim().toUpperCase(), show_suggestions: v('show_suggestions').checked, retention: {} };
    if (!v('automated_rejection').disabled) body.automated_rejection = v('automated_rejection').checked;
    if (!v('emotion_inference').disabled) body.emotion_inference = v('emotion_inference').checked;
    for (const k of ['recordings', 'transcripts', 'analyses', 'resumes']) body.retention[k] = Number(v(`retention.${k}`).value);
    await api(OPTIONAL.policyPut, { params: { id: cid }, body });
    announce(t('common.saved'));
  });
  return h('section', { class: 'card' }, h('h2', {}, t('policy.title')), h('p', { class: 'hint' }, t('policy.lead')), form);
}

/* Candidates' explanation / re-review / statement requests with their deadline. */
function requestsCard(list, reload) {
  const item = (r) => {
    const form = h('form', { novalidate: true }, errorBox(),
      field({ name: 'response', label: t('requests.response'), type: 'textarea', rows: 2, required: true }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-small btn-primary', value: 'answered' }, t('requests.answer')),
        h('button', { type: 'submit', class: 'btn btn-small', value: 'closed' }, t('requests.close'))));
    submitting(form, async (fd, ev) => {
      await api(OPTIONAL.requestAnswer, { params: { id: r.id }, body: { response: fd.get('response'), status: (ev && ev.submitter && ev.submitter.value) || 'answered' } });
      reload();
    });
    return h('li', { class: 'request' }, h('div', { class: 'grow' },
      h('strong', {}, t('rights.kind.' + r.kind)), ' ', badge(t('requestStatus.' + r.status), r.status === 'open' ? 'warn' : 'ok'), ' ',
      h('a', { href: `#/recruit/applications/${r.application_id}` }, t('requests.application', { id: r.application_id })),
      h('div', { class: 'meta' }, h('span', {}, t('rights.deadline', { date: fmtDate(r.deadline_at) })), r.statement ? h('span', {}, r.statement) : null),
      r.response ? h('p', { class: 'hint prewrap' }, r.response) : null,
      r.status === 'open' ? form : null));
  };
  return h('section', { class: 'card' }, h('h2', {}, t('requests.title')),
    list.items.length ? h('ul', { class: 'list' }, list.items.map(item)) : empty(t('requests.none')));
}
