/*
 * api.js — the only module that talks to the backend.
 *
 * Design: every path the UI calls is listed once in ROUTES (the browser test scans this file
 * and the screens for "/api/v1/..." literals and checks each against GET /api/v1/openapi.json).
 * Screens call api(ROUTES.x, {params, query, body}) and get parsed JSON or an ApiError that
 * carries the server's {"error":{"code","message","field"}} unchanged, so forms can show the
 * message and highlight the field.
 *
 * Features that other parts of the backend add (OPTIONAL routes grouped in PENDING) are
 * used only after hasFeature() found all their routes in the live OpenAPI document, so a
 * screen never calls a path this server does not have and says "not available yet".
 *
 * Tokens: the access token lives only in this module's memory; the single-use refresh token
 * is kept in localStorage (the backend rotates it on every use and returns it in the body;
 * it sets no cookie). Concurrent 401s share one refresh call, because presenting a used
 * refresh token revokes the whole family. Tokens are never logged.
 */

export const ROUTES = {
  signup: ['POST', '/api/v1/auth/signup'],
  signupCompany: ['POST', '/api/v1/auth/signup-company'],
  login: ['POST', '/api/v1/auth/login'],
  refresh: ['POST', '/api/v1/auth/refresh'],
  logout: ['POST', '/api/v1/auth/logout'],
  resetRequest: ['POST', '/api/v1/auth/password-reset'],
  resetConfirm: ['POST', '/api/v1/auth/password-reset/confirm'],
  invitationAccept: ['POST', '/api/v1/invitations/accept'],
  me: ['GET', '/api/v1/me'],
  company: ['GET', '/api/v1/companies/{id}'],
  companyPut: ['PUT', '/api/v1/companies/{id}'],
  departments: ['GET', '/api/v1/companies/{id}/departments'],
  departmentCreate: ['POST', '/api/v1/companies/{id}/departments'],
  members: ['GET', '/api/v1/companies/{id}/members'],
  memberPatch: ['PATCH', '/api/v1/companies/{id}/members/{user_id}'],
  memberDelete: ['DELETE', '/api/v1/companies/{id}/members/{user_id}'],
  invitations: ['GET', '/api/v1/companies/{id}/invitations'],
  invitationCreate: ['POST', '/api/v1/companies/{id}/invitations'],
  companyJobs: ['GET', '/api/v1/companies/{id}/jobs'],
  jobs: ['GET', '/api/v1/jobs'],
  jobCreate: ['POST', '/api/v1/jobs'],
  job: ['GET', '/api/v1/jobs/{id}'],
  jobUpdate: ['PUT', '/api/v1/jobs/{id}'],
  jobDelete: ['DELETE', '/api/v1/jobs/{id}'],
  jobManage: ['GET', '/api/v1/jobs/{id}/manage'],
  jobStats: ['GET', '/api/v1/jobs/{id}/stats'],
  jobApplications: ['GET', '/api/v1/jobs/{id}/applications'],
  apply: ['POST', '/api/v1/jobs/{id}/applications'],
  bulkDecision: ['POST', '/api/v1/jobs/{id}/decisions'],
  panels: ['GET', '/api/v1/jobs/{id}/panels'],
  panelCreate: ['POST', '/api/v1/jobs/{id}/panels'],
  panelDelete: ['DELETE', '/api/v1/panels/{id}'],
  panelRespond: ['POST', '/api/v1/panels/{id}/respond'],
  myPanels: ['GET', '/api/v1/me/panels'],
  resumeUpload: ['POST', '/api/v1/resumes'],
  resumes: ['GET', '/api/v1/resumes'],
  resume: ['GET', '/api/v1/resumes/{id}'],
  resumeSections: ['PUT', '/api/v1/resumes/{id}/sections'],
  resumeDelete: ['DELETE', '/api/v1/resumes/{id}'],
  myApplications: ['GET', '/api/v1/me/applications'],
  application: ['GET', '/api/v1/applications/{id}'],
  withdraw: ['POST', '/api/v1/applications/{id}/withdraw'],
  decision: ['POST', '/api/v1/applications/{id}/decision'],
  memos: ['GET', '/api/v1/applications/{id}/memos'],
  memoCreate: ['POST', '/api/v1/applications/{id}/memos'],
  audit: ['GET', '/api/v1/applications/{id}/audit'],
  slots: ['GET', '/api/v1/applications/{id}/slots'],
  slotCreate: ['POST', '/api/v1/applications/{id}/slots'],
  stageView: ['GET', '/api/v1/applications/{id}/stages/{stage}'],
  evaluationPut: ['PUT', '/api/v1/applications/{id}/stages/{stage}/evaluation'],
  notifications: ['GET', '/api/v1/notifications'],
  unread: ['GET', '/api/v1/notifications/unread-count'],
  readAll: ['POST', '/api/v1/notifications/read-all'],
  openapi: ['GET', '/api/v1/openapi.json'],
};

/* Routes of features that other parts of the backend add (AI results, interviews, trust).
 * A screen calls them only after hasFeature() found every route of its feature in the live
 * OpenAPI document; otherwise it shows "not available yet" and calls nothing. */
export const OPTIONAL = {
  ranking: ['GET', '/api/v1/jobs/{id}/ranking'],
  screening: ['GET', '/api/v1/applications/{id}/screening'],
  insights: ['GET', '/api/v1/applications/{id}/insights'],
  generateQuestions: ['POST', '/api/v1/applications/{id}/questions'],
  interview: ['GET', '/api/v1/applications/{id}/interview'],
  uploadCreate: ['POST', '/api/v1/applications/{id}/interview/answers/uploads'],
  uploadPut: ['PUT', '/api/v1/interview/uploads/{upload_id}'],
  uploadStatus: ['GET', '/api/v1/interview/uploads/{upload_id}'],
  analyses: ['GET', '/api/v1/applications/{id}/analyses'],
  analysis: ['GET', '/api/v1/analyses/{id}'],
  analysisEvents: ['GET', '/api/v1/analyses/{id}/events'],
  consent: ['GET', '/api/v1/applications/{id}/consent'],
  consentGrant: ['POST', '/api/v1/applications/{id}/consent'],
  consentWithdraw: ['POST', '/api/v1/applications/{id}/consent/withdraw'],
  aiChoice: ['POST', '/api/v1/applications/{id}/ai-choice'],
  transcripts: ['GET', '/api/v1/applications/{id}/transcripts'],
  correction: ['POST', '/api/v1/applications/{id}/transcripts/{analysis_id}/corrections'],
  rightsRequests: ['GET', '/api/v1/applications/{id}/rights-requests'],
  rightsRequest: ['POST', '/api/v1/applications/{id}/rights-requests'],
  policy: ['GET', '/api/v1/companies/{id}/trust/policy'],
  policyPut: ['PUT', '/api/v1/companies/{id}/trust/policy'],
  companyRequests: ['GET', '/api/v1/companies/{id}/rights-requests'],
  requestAnswer: ['POST', '/api/v1/rights-requests/{id}/answer'],
  jobTrust: ['GET', '/api/v1/jobs/{id}/trust'],
  jobTrustPut: ['PUT', '/api/v1/jobs/{id}/trust'],
  accommodations: ['GET', '/api/v1/applications/{id}/accommodations'],
  accommodationsPut: ['PUT', '/api/v1/applications/{id}/accommodations'],
};

const O = OPTIONAL;
export const PENDING = {
  screening: { routes: [O.ranking, O.screening, O.insights] },
  questions: { routes: [O.generateQuestions] },
  consent: { routes: [O.consent, O.consentGrant, O.consentWithdraw, O.aiChoice] },
  interview: { routes: [O.interview, O.uploadCreate, O.uploadPut, O.uploadStatus, O.analyses, O.analysis, O.analysisEvents] },
  report: { routes: [O.analyses, O.analysis] },
  rights: { routes: [O.transcripts, O.correction, O.rightsRequests, O.rightsRequest] },
  policy: { routes: [O.policy, O.policyPut, O.companyRequests, O.requestAnswer] },
  jobTrust: { routes: [O.jobTrust, O.jobTrustPut] },
  accommodations: { routes: [O.accommodations, O.accommodationsPut] },
};

const REFRESH_KEY = 'kocruit.refresh';
let access = null;
let refreshing = null;
let openapiPaths = null;
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || null;
  }
}

export function onAuthChange(fn) { listeners.add(fn); }
function notify() { for (const fn of listeners) fn(); }

export function hasSession() { return !!access || !!localStorage.getItem(REFRESH_KEY); }

function fill(template, params = {}) {
  return template.replace(/\{(\w+)\}/g, (_, k) => {
    if (params[k] === undefined || params[k] === null) throw new Error(`missing path parameter ${k}`);
    return encodeURIComponent(String(params[k]));
  });
}

async function send(method, url, body, headers, auth) {
  const h = { Accept: 'application/json', ...headers };
  if (auth && access) h.Authorization = `Bearer ${access}`;
  let payload = body;
  if (body !== undefined && !(body instanceof FormData) && !(body instanceof Blob)) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  return fetch(url, { method, headers: h, body: payload, credentials: 'same-origin' });
}

async function parse(res) {
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (res.ok) return data;
  const e = data && data.error;
  throw new ApiError(res.status, e ? e.code : 'http_' + res.status,
    e ? e.message : `HTTP ${res.status}`, e ? e.field : null);
}

function storeSession(data) {
  access = data.access_token;
  if (data.refresh_token) localStorage.setItem(REFRESH_KEY, data.refresh_token);
}

export function clearSession() {
  access = null;
  localStorage.removeItem(REFRESH_KEY);
  notify();
}

/* Exchange the stored refresh token once; concurrent callers share the promise. */
export function refreshSession() {
  if (refreshing) return refreshing;
  const token = localStorage.getItem(REFRESH_KEY);
  if (!token) return Promise.resolve(false);
  const [m, p] = ROUTES.refresh;
  refreshing = send(m, p, { refresh_token: token }, {}, false)
    .then(parse)
    .then((d) => { storeSession(d); return true; })
    .catch((err) => {
      if (err instanceof ApiError && err.status < 500) clearSession();
      return false;
    })
    .finally(() => { refreshing = null; });
  return refreshing;
}

/* Call a route: api(ROUTES.job, {params:{id}, query:{q}, body}). Resolves to JSON or null. */
export async function api(route, opts = {}) {
  const [method, template] = route;
  let url = fill(template, opts.params);
  if (opts.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
    const s = q.toString();
    if (s) url += '?' + s;
  }
  if (!access && opts.auth !== false && localStorage.getItem(REFRESH_KEY)) await refreshSession();
  let res;
  try {
    res = await send(method, url, opts.body, opts.headers || {}, opts.auth !== false);
  } catch {
    throw new ApiError(0, 'network', navigator.onLine === false ? 'offline' : 'network error');
  }
  if (res.status === 401 && opts.auth !== false && access && !opts.retried) {
    access = null;
    if (await refreshSession()) return api(route, { ...opts, retried: true });
    notify();
  }
  return parse(res);
}

/* Sign-in style calls return a session; keep its tokens and tell listeners. */
export async function startSession(route, body) {
  const data = await api(route, { body, auth: false });
  storeSession(data);
  notify();
  return data;
}

export async function endSession() {
  const token = localStorage.getItem(REFRESH_KEY);
  try {
    if (access) await api(ROUTES.logout, { body: token ? { refresh_token: token } : {} });
  } catch { /* the session ends locally either way */ }
  clearSession();
}

/* The set of "METHOD path" the server documents (loaded once). */
export async function serverRoutes() {
  if (openapiPaths) return openapiPaths;
  const doc = await api(ROUTES.openapi, { auth: false });
  const set = new Set();
  for (const [p, ops] of Object.entries(doc.paths || {}))
    for (const m of Object.keys(ops)) set.add(m.toUpperCase() + ' ' + p);
  openapiPaths = set;
  return set;
}

/* True when every route of a pending feature is offered by this server. */
export async function hasFeature(name) {
  const f = PENDING[name];
  if (!f) return false;
  const set = await serverRoutes().catch(() => new Set());
  return f.routes.every(([m, p]) => set.has(m + ' ' + p));
}

/* Read a Server-Sent Events route with the bearer token (EventSource cannot send one):
 * onEvent({event, data}) per event until the server ends the stream or signal aborts. */
export async function streamEvents(route, opts, onEvent, signal) {
  const url = fill(route[1], opts.params);
  if (!access && localStorage.getItem(REFRESH_KEY)) await refreshSession();
  let res = await fetch(url, { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${access}` }, signal });
  if (res.status === 401 && (await refreshSession()))
    res = await fetch(url, { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${access}` }, signal });
  if (!res.ok) return parse(res);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true }).replace(/\r\n/g, '\n');
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const ev = { event: 'message', data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) ev.event = line.slice(6).trim();
        else if (line.startsWith('data:')) ev.data += (ev.data ? '\n' : '') + line.slice(5).trimStart();
      }
      if (ev.data || ev.event !== 'message') onEvent(ev);
    }
  }
  return null;
}
