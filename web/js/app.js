// app: the session, the hash router, the header and navigation, and the
// recovery of what was typed when the session expires.
import { api, onUnauthorized, setCsrf } from './api.js';
import { h, clear } from './dom.js';
import { roleName } from './i18n.js';
import { announce, errorBox, failPage, pageTitle, roleSwitcher } from './ui.js';
import * as publicPages from './pages/public.js';
import * as loginPages from './pages/login.js';
import * as cae from './pages/cae.js';
import * as assessment from './pages/assessment.js';
import * as results from './pages/results.js';
import * as committee from './pages/committee.js';
import * as admin from './pages/admin.js';
import * as rules from './pages/rulesets.js';
import * as hooks from './pages/webhooks.js';
import * as reports from './pages/reports.js';
import * as practices from './pages/practices.js';
import * as documents from './pages/documents.js';
import * as account from './pages/account.js';
import * as team from './pages/team.js';
import * as invitation from './pages/invitation.js';
import * as passwordReset from './pages/password_reset.js';
import * as notes from './pages/notifications.js';
import * as mail from './pages/mail.js';

const RETURN_KEY = 'labelcoop.return';
const DRAFTS_KEY = 'labelcoop.drafts';
const ALL = ['cae', 'auditor', 'committee', 'admin'];

export const session = { user: null };

/* The pages. A public route needs no login; one without roles is every
 * logged-in person's, whatever their role; ":id" is a number, ":key" any
 * segment (an e-mailed link's token). */
const routes = [
  { path: '/', page: homePage, public: true },
  { path: '/connexion', page: loginPages.login, public: true },
  { path: '/referentiel', page: publicPages.referential, public: true },
  { path: '/registre', page: publicPages.registry, public: true },
  { path: '/bonnes-pratiques', page: publicPages.practices, roles: ALL },
  { path: '/cae/:id', page: cae.dashboard, roles: ALL },
  { path: '/cae/:id/auto-evaluation', page: cae.selfAssessments, roles: ALL },
  { path: '/cae/:id/plan-action', page: cae.actionPlan, roles: ALL },
  { path: '/cae/:id/documents', page: documents.library, roles: ['cae', 'committee', 'admin'] },
  { path: '/cae/:id/equipe', page: team.team, roles: ['cae', 'admin'] },
  { path: '/evaluations/:id', page: assessment.assessmentPage, roles: ALL },
  { path: '/evaluations/:id/resultats', page: results.resultsPage, roles: ALL },
  { path: '/audits', page: committee.audits, roles: ['auditor', 'committee', 'admin'] },
  { path: '/comite', page: committee.pending, roles: ['committee', 'admin'] },
  { path: '/comite/audits/:id', page: committee.decision, roles: ['committee', 'admin'] },
  { path: '/organisations', page: admin.organisations, roles: ['auditor', 'committee', 'admin'] },
  { path: '/admin/utilisateurs', page: admin.users, roles: ['admin'] },
  { path: '/admin/jetons', page: admin.tokens, roles: ['admin'] },
  { path: '/certificat', page: publicPages.certificate, public: true },
  { path: '/cae/:id/bonnes-pratiques', page: practices.ownPractices, roles: ALL },
  { path: '/comite/regles', page: rules.rulesets, roles: ['committee', 'admin'] },
  { path: '/comite/regles/fichiers', page: rules.rulesetFiles, roles: ['committee', 'admin'] },
  { path: '/comite/regles/simulation', page: rules.whatif, roles: ['committee', 'admin'] },
  { path: '/rapports', page: reports.reports, roles: ['cae', 'committee', 'admin'] },
  { path: '/admin/webhooks', page: hooks.webhooks, roles: ['admin'] },
  { path: '/admin/webhooks/:id', page: hooks.deliveries, roles: ['admin'] },
  { path: '/compte', page: account.account },
  { path: '/invitation/:key', page: invitation.invitation, public: true },
  { path: '/mot-de-passe-oublie', page: passwordReset.forgotten, public: true },
  { path: '/mot-de-passe/:key', page: passwordReset.reset, public: true },
  { path: '/notifications', page: notes.notifications },
  { path: '/admin/courriels', page: mail.mailLog, roles: ['admin'] },
];

/* The navigation, per role (and when: a further condition on the user);
 * an entry's href may depend on the user. */
const NAV = [
  { label: 'Tableau de bord', href: (u) => `#/cae/${u.organisation_id}`, roles: ['cae'] },
  { label: 'Auto-évaluation', href: (u) => `#/cae/${u.organisation_id}/auto-evaluation`, roles: ['cae'] },
  { label: 'Plan d’action', href: (u) => `#/cae/${u.organisation_id}/plan-action`, roles: ['cae'] },
  { label: 'Documents', href: (u) => `#/cae/${u.organisation_id}/documents`, roles: ['cae'] },
  { label: 'Nos bonnes pratiques', href: (u) => `#/cae/${u.organisation_id}/bonnes-pratiques`, roles: ['cae'] },
  { label: 'Mon équipe', href: (u) => `#/cae/${u.organisation_id}/equipe`, roles: ['cae'], when: (u) => u.responsible },
  { label: 'Rapports', href: '#/rapports', roles: ['cae'] },
  { label: 'Mes audits', href: '#/audits', roles: ['auditor'] },
  { label: 'Décisions', href: '#/comite', roles: ['committee'] },
  { label: 'Audits', href: '#/audits', roles: ['committee', 'admin'] },
  { label: 'Organisations', href: '#/organisations', roles: ['committee', 'admin'] },
  { label: 'Règles', href: '#/comite/regles', roles: ['committee', 'admin'] },
  { label: 'Rapports', href: '#/rapports', roles: ['committee', 'admin'] },
  { label: 'Utilisateurs', href: '#/admin/utilisateurs', roles: ['admin'] },
  { label: 'Jetons d’API', href: '#/admin/jetons', roles: ['admin'] },
  { label: 'Webhooks', href: '#/admin/webhooks', roles: ['admin'] },
  { label: 'Courriels', href: '#/admin/courriels', roles: ['admin'] },
  { label: 'Bonnes pratiques', href: '#/bonnes-pratiques', roles: ALL },
  { label: 'Référentiel', href: '#/referentiel', roles: null },
  { label: 'Registre des labels', href: '#/registre', roles: null },
  { label: 'Vérifier un certificat', href: '#/certificat', roles: null },
];

export function homeOf(user) {
  if (!user) return '#/';
  if (user.role === 'cae') return `#/cae/${user.organisation_id}`;
  if (user.role === 'auditor') return '#/audits';
  if (user.role === 'committee') return '#/comite';
  if (user.role === 'none') return '#/referentiel'; // a committee role awaiting confirmation
  return '#/organisations';
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  return { path: path || '/', query: new URLSearchParams(qs || '') };
}

function findRoute(path) {
  const segs = path.split('/').filter(Boolean);
  for (const r of routes) {
    const ps = r.path.split('/').filter(Boolean);
    if (ps.length !== segs.length) continue;
    const params = {};
    let ok = true;
    ps.forEach((p, i) => {
      if (p === ':id') {
        if (/^[1-9]\d*$/.test(segs[i])) params.id = Number(segs[i]);
        else ok = false;
      } else if (p === ':key') params.key = segs[i];
      else if (p !== segs[i]) ok = false;
    });
    if (ok) return { route: r, params };
  }
  return null;
}

export function navigate(hash, { replace = false } = {}) {
  if (location.hash === hash) render();
  else if (replace) location.replace(hash);
  else location.hash = hash;
}

/* ---- header and navigation ------------------------------------------------- */

function renderHeader() {
  const nav = document.getElementById('nav');
  const userBox = document.getElementById('user-box');
  const { path } = parseHash();
  clear(nav);
  clear(userBox);
  const u = session.user;
  const list = h('ul', { class: 'nav-list' });
  for (const item of NAV) {
    if (item.roles && (!u || !item.roles.includes(u.role))) continue;
    if (item.when && !item.when(u)) continue;
    const href = typeof item.href === 'function' ? item.href(u) : item.href;
    const current = `#${path}` === href;
    list.append(h('li', h('a', { href, 'aria-current': current ? 'page' : null }, item.label)));
  }
  nav.append(list);
  if (u) {
    const switcher = roleSwitcher(u, switchRole);
    userBox.append(h('span', { class: 'user-name' }, u.name,
      switcher ? null : h('span', { class: 'user-role' }, roleName(u.role))),
      h('span', { class: 'user-actions' }, switcher,
        bell(path),
        h('a', { href: '#/compte', class: 'user-account', 'aria-current': path === '/compte' ? 'page' : null }, 'Mon compte'),
        h('button', { type: 'button', class: 'button-secondary', id: 'logout', onclick: logout }, 'Se déconnecter')));
  } else {
    userBox.append(h('a', { class: 'button', href: '#/connexion' }, 'Se connecter'));
  }
}

/* The session acts in another of the person's roles: their home page in it. */
async function switchRole(role, select) {
  select.disabled = true;
  try {
    session.user = await api('PUT', 'session/role', { role });
  } catch (err) {
    select.disabled = false;
    if (err.status === 401) return; /* the login page is on its way */
    const main = document.querySelector('#main .view');
    if (main) main.prepend(errorBox(err));
    return;
  }
  announce(`Vous agissez maintenant en tant que : ${roleName(role)}.`);
  navigate(homeOf(session.user));
}

/* The header's link to the notifications, with the unread count: read
 * after the header is drawn, and told again by the notifications page. */
let unreadShown = null;
function showUnread(n) {
  unreadShown = n;
  const count = document.getElementById('unread-count');
  if (!count) return;
  count.textContent = n > 0 ? String(n) : '';
  count.hidden = !(n > 0);
  const more = document.getElementById('unread-words');
  if (more) more.textContent = n > 0 ? ` (${n} non ${n > 1 ? 'lues' : 'lue'})` : '';
}
document.addEventListener('labelcoop:unread', (ev) => showUnread(ev.detail));

function bell(path) {
  const link = h('a', { href: '#/notifications', class: 'user-account user-notifications', 'aria-current': path === '/notifications' ? 'page' : null },
    'Notifications', h('span', { class: 'unread-count', id: 'unread-count', 'aria-hidden': 'true', hidden: true }),
    h('span', { class: 'visually-hidden', id: 'unread-words' }));
  queueMicrotask(() => showUnread(unreadShown));
  api('GET', 'notifications/unread', undefined, { quiet401: true }).then((r) => showUnread(r.unread), () => {});
  return link;
}

async function logout() {
  try {
    await api('DELETE', 'session', undefined, { quiet401: true });
  } catch {
    /* an expired session is logged out already */
  }
  setCsrf(null);
  session.user = null;
  sessionStorage.removeItem(DRAFTS_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  navigate('#/connexion?deconnexion=1');
}

/* ---- session expiry: keep what was typed, log in, come back ------------------ */

function collectDrafts(view) {
  const values = {};
  for (const el of view.querySelectorAll('input[id], textarea[id], select[id]')) {
    if (el.type === 'password' || el.type === 'hidden' || el.type === 'file' || el.dataset.noDraft !== undefined) continue;
    values[el.id] = el.type === 'checkbox' || el.type === 'radio' ? el.checked : el.value;
  }
  return values;
}

function sessionExpired() {
  if (!session.user) return;
  const view = document.querySelector('#main .view');
  const back = location.hash || '#/';
  if (view) sessionStorage.setItem(DRAFTS_KEY, JSON.stringify({ hash: back, values: collectDrafts(view) }));
  sessionStorage.setItem(RETURN_KEY, back);
  session.user = null;
  setCsrf(null);
  navigate('#/connexion?expiree=1');
}

function restoreDrafts(view) {
  let saved;
  try {
    saved = JSON.parse(sessionStorage.getItem(DRAFTS_KEY) || 'null');
  } catch {
    saved = null;
  }
  if (!saved || saved.hash !== (location.hash || '#/')) return;
  sessionStorage.removeItem(DRAFTS_KEY);
  let restored = 0;
  for (const [id, value] of Object.entries(saved.values)) {
    const el = document.getElementById(id);
    if (!el || !view.contains(el) || el.disabled) continue;
    if (el.type === 'checkbox' || el.type === 'radio') {
      if (el.checked === value) continue;
      el.checked = value;
    } else {
      if (el.value === value) continue;
      el.value = value;
    }
    restored += 1;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }
  if (restored) announce('Votre saisie a été restaurée.');
}

/** After a login: back where the user was, or home. */
export function loggedIn(user, csrf) {
  session.user = user;
  setCsrf(csrf);
  const back = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  navigate(back && !back.startsWith('#/connexion') ? back : homeOf(user), { replace: true });
}

/* ---- rendering ------------------------------------------------------------- */

let seq = 0;
async function render() {
  const mine = ++seq;
  const { path, query } = parseHash();
  const main = document.getElementById('main');
  const view = h('div', { class: 'view' });
  main.replaceChildren(view);
  document.body.classList.remove('nav-open');
  document.getElementById('nav-toggle').setAttribute('aria-expanded', 'false');
  renderHeader();
  const found = findRoute(path);
  if (!found) {
    pageTitle(view, 'Page introuvable');
    view.append(h('p', 'Cette adresse ne correspond à aucune page. ', h('a', { href: '#/' }, 'Revenir à l’accueil')));
    return;
  }
  const { route, params } = found;
  if (!route.public && !session.user) {
    sessionStorage.setItem(RETURN_KEY, location.hash);
    navigate('#/connexion', { replace: true });
    return;
  }
  if (route.roles && !route.roles.includes(session.user.role)) {
    failPage(view, { status: 403, apiMessage: null });
    return;
  }
  const ctx = { params, query, user: session.user, navigate, rerender: render, isCurrent: () => mine === seq };
  try {
    await route.page(view, ctx);
  } catch (err) {
    if (mine !== seq) return;
    if (err && err.status === 401) return; /* handled: back to login */
    if (!(err && err.status)) console.error(err);
    failPage(view, err);
  }
  if (mine !== seq) return;
  restoreDrafts(view);
  const title = view.querySelector('h1');
  if (title && rendered) title.focus({ preventScroll: false });
  rendered = true;
}
let rendered = false;

async function homePage(view, ctx) {
  if (ctx.user) {
    navigate(homeOf(ctx.user), { replace: true });
    return;
  }
  return publicPages.welcome(view, ctx);
}

async function boot() {
  onUnauthorized(sessionExpired);
  document.getElementById('nav-toggle').addEventListener('click', (ev) => {
    const open = document.body.classList.toggle('nav-open');
    ev.currentTarget.setAttribute('aria-expanded', String(open));
  });
  try {
    session.user = await api('GET', 'me', undefined, { quiet401: true });
  } catch {
    session.user = null;
  }
  document.getElementById('skip').addEventListener('click', (ev) => {
    ev.preventDefault();
    const title = document.querySelector('#main h1') || document.getElementById('main');
    title.focus();
  });
  window.addEventListener('hashchange', () => {
    if (location.hash === '' || location.hash.startsWith('#/')) render();
  });
  await render();
}

boot();
