/*
 * screen-auth.js — sign in, applicant sign-up, company sign-up (the creator becomes its
 * manager) and accepting a company invitation (the only way to join a company). Passwords
 * go only into the request body; the session tokens are handled by api.js.
 */
import { api, ROUTES, startSession } from './api.js';
import { t } from './i18n.js';
import { h, field, errorBox, submitting, announce } from './dom.js';
import { session } from './app.js';

function home(user) {
  const ms = user.memberships || [];
  if (ms.some((m) => m.role === 'manager' || m.role === 'recruiter')) return '/recruit';
  if (ms.length) return '/panels';
  return '/';
}

function after(ctx, data) {
  session.user = data.user;
  announce(t('auth.welcome', { name: data.user.name }));
  const next = ctx.query.get('next');
  ctx.go(next && next.startsWith('/') ? next : home(data.user));
}

function page(root, title, lead, form, foot) {
  root.append(h('div', { class: 'card form auth-card' }, h('h1', {}, title), lead && h('p', { class: 'subtitle' }, lead), form, foot));
}

const pwHint = () => t('auth.passwordHint');

export function login(root, ctx) {
  const form = h('form', { novalidate: true }, errorBox(),
    field({ name: 'email', label: t('auth.email'), type: 'email', required: true, autocomplete: 'username' }),
    field({ name: 'password', label: t('auth.password'), type: 'password', required: true, autocomplete: 'current-password' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('nav.login'))));
  submitting(form, async (fd) => after(ctx, await startSession(ROUTES.login, { email: fd.get('email'), password: fd.get('password') })));
  const next = ctx.query.get('next') ? '?next=' + encodeURIComponent(ctx.query.get('next')) : '';
  page(root, t('auth.loginTitle'), null, form, h('div', {}, h('p', { class: 'hint' }, t('auth.noAccount'), ' ',
    h('a', { href: '#/signup' + next }, t('auth.signupApplicant')), ' · ', h('a', { href: '#/signup-company' }, t('auth.signupCompany'))),
    h('p', { class: 'hint' }, h('a', { href: '#/reset' }, t('reset.forgot')))));
}

export function signup(root, ctx) {
  const form = h('form', { novalidate: true }, errorBox(),
    field({ name: 'name', label: t('auth.name'), required: true, autocomplete: 'name' }),
    field({ name: 'email', label: t('auth.email'), type: 'email', required: true, autocomplete: 'email' }),
    field({ name: 'password', label: t('auth.password'), type: 'password', required: true, autocomplete: 'new-password', hint: pwHint() }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('auth.createAccount'))));
  submitting(form, async (fd) => after(ctx, await startSession(ROUTES.signup,
    { name: fd.get('name'), email: fd.get('email'), password: fd.get('password') })));
  page(root, t('auth.signupTitle'), t('auth.signupLead'), form,
    h('p', { class: 'hint' }, t('auth.haveAccount'), ' ', h('a', { href: '#/login' }, t('nav.login'))));
}

export function signupCompany(root, ctx) {
  const form = h('form', { novalidate: true }, errorBox(),
    field({ name: 'company_name', label: t('company.name'), required: true, autocomplete: 'organization' }),
    field({ name: 'company_website', label: t('company.website'), type: 'url', autocomplete: 'url' }),
    field({ name: 'name', label: t('auth.name'), required: true, autocomplete: 'name' }),
    field({ name: 'email', label: t('auth.email'), type: 'email', required: true, autocomplete: 'email' }),
    field({ name: 'password', label: t('auth.password'), type: 'password', required: true, autocomplete: 'new-password', hint: pwHint() }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('auth.createCompany'))));
  submitting(form, async (fd) => {
    const body = { company_name: fd.get('company_name'), name: fd.get('name'), email: fd.get('email'), password: fd.get('password') };
    if (fd.get('company_website')) body.company_website = fd.get('company_website');
    after(ctx, await startSession(ROUTES.signupCompany, body));
  });
  page(root, t('auth.companyTitle'), t('auth.companyLead'), form, null);
}

export function invite(root, ctx) {
  const form = h('form', { novalidate: true }, errorBox(),
    field({ name: 'token', label: t('invite.code'), required: true, value: ctx.query.get('token') || '', autocomplete: 'off' }),
    field({ name: 'name', label: t('auth.name'), required: true, autocomplete: 'name' }),
    field({ name: 'password', label: t('auth.password'), type: 'password', required: true, autocomplete: 'new-password', hint: t('invite.passwordHint') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('invite.accept'))));
  submitting(form, async (fd) => after(ctx, await startSession(ROUTES.invitationAccept,
    { token: fd.get('token'), name: fd.get('name'), password: fd.get('password') })));
  page(root, t('invite.title'), t('invite.lead'), form, null);
}

/* Password reset: request a code by e-mail, then set a new password with it. */
export function reset(root, ctx) {
  const sent = h('div', { 'aria-live': 'polite' });
  const ask = h('form', { novalidate: true }, errorBox(),
    field({ name: 'email', label: t('auth.email'), type: 'email', required: true, autocomplete: 'email' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('reset.send'))), sent);
  submitting(ask, async (fd) => {
    await api(ROUTES.resetRequest, { body: { email: fd.get('email') }, auth: false });
    sent.replaceChildren(h('p', { class: 'note' }, t('reset.sent')));
  });
  const set = h('form', { novalidate: true }, errorBox(),
    field({ name: 'token', label: t('reset.code'), required: true, value: ctx.query.get('token') || '', autocomplete: 'one-time-code' }),
    field({ name: 'new_password', label: t('reset.newPassword'), type: 'password', required: true, autocomplete: 'new-password', hint: pwHint() }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('reset.set'))));
  submitting(set, async (fd) => {
    await api(ROUTES.resetConfirm, { body: { token: fd.get('token'), new_password: fd.get('new_password') }, auth: false });
    announce(t('reset.done'));
    ctx.go('/login');
  });
  page(root, t('reset.title'), t('reset.lead'), h('div', {}, ask, h('hr', {}), set), null);
}
