/*
 * app.js — start-up, session state, the page shell (header, navigation, language switch)
 * and the hash router. Screens are modules loaded on first use (import()), each exporting
 * render(root, ctx) where ctx = {params, query, session, go}. Hash routing (#/jobs/3) is used
 * because the backend serves index.html only for one-segment paths.
 *
 * Session: after a reload the stored refresh token is exchanged once and /me is read; the
 * role decides the navigation (applicant | staff with manager/recruiter or interviewer
 * memberships | admin). Screens that need a role redirect to #/login.
 */
import { api, ROUTES, hasSession, onAuthChange, endSession, refreshSession } from './api.js';
import { initI18n, t, getLang, setLang, LANGS } from './i18n.js';
import { h, clear, loading, errorState } from './dom.js';
import { forceBlind } from './blind.js';

const routes = [
  ['/', 'screen-jobs.js', 'list'],
  ['/jobs/:id', 'screen-jobs.js', 'detail'],
  ['/login', 'screen-auth.js', 'login'],
  ['/signup', 'screen-auth.js', 'signup'],
  ['/signup-company', 'screen-auth.js', 'signupCompany'],
  ['/invite', 'screen-auth.js', 'invite'],
  ['/reset', 'screen-auth.js', 'reset'],
  ['/me/resumes', 'screen-resume.js', 'list'],
  ['/me/resumes/:id', 'screen-resume.js', 'edit'],
  ['/me/applications', 'screen-myapps.js', 'list'],
  ['/me/applications/:id', 'screen-myapps.js', 'detail'],
  ['/interview/:id', 'screen-interview.js', 'render'],
  ['/notifications', 'screen-myapps.js', 'notifications'],
  ['/recruit', 'screen-recruit.js', 'dashboard'],
  ['/recruit/company', 'screen-company.js', 'render'],
  ['/recruit/jobs/new', 'screen-jobedit.js', 'render'],
  ['/recruit/jobs/:id/edit', 'screen-jobedit.js', 'render'],
  ['/recruit/jobs/:id', 'screen-recruit.js', 'pipeline'],
  ['/recruit/jobs/:id/stats', 'screen-stats.js', 'render'],
  ['/recruit/applications/:id', 'screen-application.js', 'render'],
  ['/recruit/applications/:id/report', 'screen-report.js', 'render'],
  ['/panels', 'screen-panels.js', 'list'],
  ['/panels/:id/:stage', 'screen-panels.js', 'workspace'],
];

export const session = { user: null, ready: false };

export function roles() {
  const u = session.user;
  if (!u) return { guest: true };
  const ms = u.memberships || [];
  return {
    applicant: u.role === 'applicant',
    admin: u.role === 'admin',
    recruiter: ms.some((m) => m.role === 'manager' || m.role === 'recruiter'),
    manager: ms.some((m) => m.role === 'manager'),
    interviewer: ms.length > 0,
  };
}

/* The first company where the caller is manager/recruiter (recruiter screens work on it). */
export function recruiterCompany() {
  const ms = (session.user && session.user.memberships) || [];
  return ms.find((m) => m.role === 'manager') || ms.find((m) => m.role === 'recruiter') || null;
}

export function go(path) {
  if (location.hash === '#' + path) render();
  else location.hash = '#' + path;
}

function match(path) {
  for (const [pattern, mod, fn] of routes) {
    const pp = pattern.split('/'), sp = path.split('/');
    if (pp.length !== sp.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < pp.length && ok; i++) {
      if (pp[i].startsWith(':')) params[pp[i].slice(1)] = decodeURIComponent(sp[i]);
      else ok = pp[i] === sp[i];
    }
    if (ok && (!params.id || /^\d+$/.test(params.id) || pattern.startsWith('/panels'))) return { mod, fn, params };
  }
  return null;
}

async function loadUser() {
  if (!hasSession()) { session.user = null; return; }
  try {
    await refreshSession();
    session.user = hasSession() ? await api(ROUTES.me) : null;
  } catch { session.user = null; }
}

/* The nav item for the current path: the longest href that is the path or a prefix of it. */
function currentNav(hrefs) {
  const here = '#' + currentPath();
  return hrefs.filter((x) => x === here || (x !== '#/' && here.startsWith(x + '/'))).sort((a, b) => b.length - a.length)[0] || (here === '#/' || here.startsWith('#/jobs') ? '#/' : null);
}

function renderHeader() {
  const header = document.getElementById('site-header');
  clear(header);
  const r = roles();
  const links = [['#/', t('nav.jobs')]];
  if (r.applicant) links.push(['#/me/resumes', t('nav.resumes')], ['#/me/applications', t('nav.applications')]);
  if (r.recruiter) links.push(['#/recruit', t('nav.recruit')], ['#/recruit/company', t('nav.company')]);
  if (r.interviewer) links.push(['#/panels', t('nav.panels')]);
  if (!r.guest) links.push(['#/notifications', t('nav.notifications')]);
  const cur = currentNav(links.map(([href]) => href));
  const items = links.map(([href, label]) => h('li', {}, h('a', { href, 'aria-current': href === cur ? 'page' : null, dataset: href === '#/notifications' ? { unread: '' } : undefined }, label)));
  const langSel = h('select', { id: 'lang', 'aria-label': t('nav.language'), onchange: async (e) => { await setLang(e.target.value); renderHeader(); render(); } },
    LANGS.map((c) => h('option', { value: c, selected: c === getLang() }, c === 'ko' ? '한국어' : 'English')));
  const account = r.guest
    ? [h('a', { href: '#/login', class: 'btn btn-ghost' }, t('nav.login')), h('a', { href: '#/signup', class: 'btn btn-primary' }, t('nav.signup'))]
    : [h('span', { class: 'who', title: session.user.email }, session.user.name),
      h('button', { type: 'button', class: 'btn btn-ghost', onclick: async () => { await endSession(); go('/'); } }, t('nav.logout'))];
  const menu = h('ul', { class: 'nav-links', id: 'nav-links' }, items);
  const toggle = h('button', { type: 'button', class: 'nav-toggle', 'aria-expanded': 'false', 'aria-controls': 'nav-links',
    onclick: (e) => { const open = menu.classList.toggle('open'); e.currentTarget.setAttribute('aria-expanded', String(open)); } }, t('nav.menu'));
  const notes = menu.querySelector('[data-unread]');
  if (notes) {
    api(ROUTES.unread).then((d) => {
      if (d && d.unread > 0) notes.append(' ', h('span', { class: 'count', 'aria-label': t('nav.unread', { n: d.unread }) }, String(d.unread)));
    }).catch(() => {});
  }
  header.append(h('div', { class: 'bar' },
    h('a', { href: '#/', class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, 'k'), 'kocruit'),
    toggle, h('nav', { 'aria-label': t('nav.main') }, menu),
    h('div', { class: 'account' }, langSel, account)));
}

function currentPath() {
  const raw = location.hash.replace(/^#/, '') || '/';
  return raw.split('?')[0] || '/';
}

let renderSeq = 0;
export async function render() {
  const seq = ++renderSeq;
  const main = document.getElementById('app');
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  const m = match(path || '/');
  forceBlind(false);
  renderHeader();
  clear(main).append(loading());
  if (!m) { clear(main).append(h('h1', {}, t('error.notFoundTitle')), h('p', {}, t('error.notFound'))); return; }
  try {
    const mod = await import('./' + m.mod);
    if (seq !== renderSeq) return;
    const view = h('div', { class: 'view' });
    await mod[m.fn](view, { params: m.params, query: new URLSearchParams(qs || ''), session, go, roles: roles() });
    if (seq !== renderSeq) return;
    clear(main).append(view);
    const h1 = view.querySelector('h1');
    document.title = (h1 ? h1.textContent + ' · ' : '') + 'kocruit';
    if (h1) { h1.tabIndex = -1; h1.focus({ preventScroll: true }); }
  } catch (err) {
    if (seq !== renderSeq) return;
    clear(main).append(errorState(err));
  }
}

/* Screens call this when an action needs a signed-in user of some role. */
export function requireRole(ctx, ok) {
  if (!session.user) { go('/login?next=' + encodeURIComponent(currentPath())); return false; }
  if (!ok) { throw Object.assign(new Error(t('error.forbidden')), { code: 'forbidden' }); }
  return true;
}

async function start() {
  await initI18n();
  await loadUser();
  session.ready = true;
  onAuthChange(() => {
    if (!hasSession()) session.user = null;
    renderHeader();
  });
  window.addEventListener('hashchange', render);
  const skip = document.querySelector('.skip');
  if (skip) skip.addEventListener('click', (e) => { e.preventDefault(); document.getElementById('app').focus(); });
  render();
}

start();
