// account: "Mon compte", the signed-in person's own page: who they are, and
// which notifications they receive by e-mail (GET/PUT /me/notifications),
// the change of their password (PUT /me/password {"current","new"}: 204, the
// other sessions ended). The page is a list of sections, each an h2 of its
// own; later ones (notification preferences, roles) join SECTIONS.
import { api } from '../api.js';
import { h, field, add, newId } from '../dom.js';
import { roleName, frDate } from '../i18n.js';
import { pageTitle, message, errorBox, busy, today } from '../ui.js';

/** The server's minimum (service_password_change); said before sending. */
const MIN_PASSWORD = 10;

function section(view, id, title) {
  const h2 = h('h2', { id: `${id}-title` }, title);
  const box = h('section', { class: 'card account-section', id, 'aria-labelledby': h2.id }, h2);
  add(view, box);
  return box;
}

/** The organisation's name: the list the role may read, else its number. */
async function organisationName(id) {
  try {
    const orgs = await api('GET', 'organisations');
    const o = orgs.find((x) => x.id === id);
    if (o) return o.name;
  } catch (err) {
    if (err.status === 401) throw err;
  }
  return `Organisation n° ${id}`;
}

function certification(until) {
  if (!until) return 'Aucune certification en cours';
  return until >= today() ? `Certifié·e jusqu’au ${frDate(until)}` : `Expirée depuis le ${frDate(until)}`;
}

async function identity(view, me) {
  const box = section(view, 'identite', 'Votre identité');
  const facts = h('dl', { class: 'facts', 'data-testid': 'account-identity' });
  const fact = (term, value) => add(facts, h('dt', term), h('dd', value));
  fact('Nom', me.name);
  fact('Adresse électronique', me.email);
  fact('Rôle', me.pending_role
    ? `${roleName(me.role)} (rôle ${roleName(me.pending_role)} en attente de confirmation par le comité)`
    : roleName(me.role));
  if (me.organisation_id) fact('Organisation', await organisationName(me.organisation_id));
  if (me.role === 'auditor') fact('Certification d’auditeur', certification(me.certified_until));
  add(box, facts, h('p', { class: 'hint' },
    'Pour changer votre nom, votre adresse ou votre rôle, adressez-vous à l’administration du réseau.'));
}

function passwordInput(id, autocomplete) {
  return h('input', { type: 'password', id, name: id, autocomplete, required: true, spellcheck: 'false',
    autocapitalize: 'off' });
}

/** What is wrong with the form before sending: [message, field] or null. */
function passwordProblem(current, fresh, again) {
  if (!current.value) return ['Saisissez votre mot de passe actuel.', current];
  if (!fresh.value) return ['Saisissez le nouveau mot de passe.', fresh];
  if ([...fresh.value].length < MIN_PASSWORD) {
    return [`Le nouveau mot de passe est trop court : au moins ${MIN_PASSWORD} caractères.`, fresh];
  }
  if (fresh.value === current.value) return ['Le nouveau mot de passe doit différer de l’actuel.', fresh];
  if (again.value !== fresh.value) {
    return ['La confirmation ne correspond pas au nouveau mot de passe : saisissez-le deux fois à l’identique.', again];
  }
  return null;
}

function passwordForm(view, me) {
  const box = section(view, 'mot-de-passe', 'Changer de mot de passe');
  const current = passwordInput('account-current', 'current-password');
  const fresh = passwordInput('account-new', 'new-password');
  const again = passwordInput('account-again', 'new-password');
  const inputs = [current, fresh, again];
  // the account's address, unseen, tells password managers whose password changes
  const username = h('input', { type: 'email', autocomplete: 'username', value: me.email, hidden: true, readonly: true });
  const show = h('input', { type: 'checkbox', id: newId('show') });
  show.addEventListener('change', () => {
    for (const i of inputs) i.type = show.checked ? 'text' : 'password';
  });
  const out = h('div', { 'data-testid': 'password-result' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Changer le mot de passe');
  const form = h('form', { class: 'form narrow', novalidate: true, id: 'account-password' },
    h('p', { class: 'hint' }, 'Vos autres sessions (autres navigateurs, autres appareils) seront fermées ; celle-ci reste ouverte.'),
    username,
    field('Mot de passe actuel', current).wrap,
    field('Nouveau mot de passe', fresh, `Au moins ${MIN_PASSWORD} caractères.`).wrap,
    field('Confirmation du nouveau mot de passe', again).wrap,
    h('div', { class: 'field' }, h('div', { class: 'radio' }, show, h('label', { for: show.id }, 'Afficher les mots de passe'))),
    out, submit);
  const say = (el, bad) => {
    for (const i of inputs) i.removeAttribute('aria-invalid');
    if (bad) bad.setAttribute('aria-invalid', 'true');
    out.replaceChildren(el);
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const problem = passwordProblem(current, fresh, again);
    if (problem) {
      say(message('error', problem[0]), problem[1]);
      problem[1].focus();
      return;
    }
    await busy(submit, async () => {
      try {
        await api('PUT', 'me/password', { current: current.value, new: fresh.value });
      } catch (err) {
        if (err.status === 401) return; /* the login page is on its way */
        const bad = inputs.find((i) => err.path === `$.${i === current ? 'current' : 'new'}`) || null;
        say(errorBox(err), bad);
        if (bad) bad.select();
        (bad || out).focus();
        return;
      }
      for (const i of inputs) i.value = '';
      const done = message('success', 'Votre mot de passe est changé. Vos autres sessions ont été fermées : '
        + 'reconnectez-vous avec le nouveau mot de passe sur vos autres navigateurs et appareils.');
      done.tabIndex = -1;
      say(done, null);
      done.focus();
    });
  });
  out.tabIndex = -1;
  add(box, form);
}

/* Which notifications come by e-mail (GET/PUT /me/notifications): every
 * one stays in the list of #/notifications either way. */
async function notificationPrefs(view) {
  const prefs = await api('GET', 'me/notifications');
  const box = section(view, 'notifications', 'Notifications par courriel');
  const boxes = prefs.map((p) => {
    const cb = h('input', { type: 'checkbox', id: `notify-${p.kind.replace(/_/g, '-')}`, name: p.kind, checked: p.email });
    return h('div', { class: 'radio' }, cb, h('label', { for: cb.id }, p.title));
  });
  const out = h('div', { 'data-testid': 'notifications-result', tabIndex: -1 });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Enregistrer mes choix');
  const form = h('form', { class: 'form narrow', novalidate: true, id: 'account-notifications' },
    h('p', { class: 'hint' }, 'Cochez ce que vous voulez recevoir par courriel. Tout reste dans vos ',
      h('a', { href: '#/notifications' }, 'notifications'),
      ' sur la plate-forme. Les messages sur votre compte (invitation, mot de passe oublié) vous sont toujours envoyés.'),
    h('fieldset', h('legend', 'Recevoir par courriel'), boxes),
    out, submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = {};
    for (const b of boxes) {
      const cb = b.querySelector('input');
      body[cb.name] = cb.checked;
    }
    busy(submit, async () => {
      try {
        const saved = await api('PUT', 'me/notifications', body);
        for (const p of saved) {
          const cb = form.querySelector(`input[name="${p.kind}"]`);
          if (cb) cb.checked = p.email;
        }
        out.replaceChildren(message('success', 'Vos choix de notifications sont enregistrés.'));
      } catch (err) {
        if (err.status === 401) return;
        out.replaceChildren(errorBox(err));
      }
      out.focus();
    });
  });
  add(box, form);
}

/** The sections in page order; each is (view, me) and may be async. */
const SECTIONS = [identity, notificationPrefs, passwordForm];

export async function account(view, ctx) {
  const me = await api('GET', 'me');
  if (!ctx.isCurrent()) return;
  pageTitle(view, 'Mon compte', 'Les informations de votre compte, vos notifications et votre mot de passe.');
  for (const s of SECTIONS) await s(view, me);
}
