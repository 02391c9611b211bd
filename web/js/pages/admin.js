// admin: organisations (list for overseers and auditors, creation for the
// administration), users with roles and certification dates, API tokens.
import { api } from '../api.js';
import { h, field, add } from '../dom.js';
import { ROLES, frDate } from '../i18n.js';
import { pageTitle, message, errorBox, table, busy, today } from '../ui.js';

function formSubmit(form, submit, out, run) {
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    busy(submit, async () => {
      try {
        await run();
      } catch (err) {
        if (err.status === 400 && err.path) {
          const key = err.path.replace(/^\$\./, '');
          const el = form.querySelector(`[name="${key}"]`);
          add(out, message('error', `Le champ « ${el ? el.closest('.field').querySelector('label').textContent : key} » est refusé.`, err.apiMessage));
          if (el) el.focus();
        } else if (err.status === 409) {
          add(out, message('error', 'Opération impossible : cet élément existe déjà ou son état l’interdit.', err.apiMessage));
        } else if (err.status !== 401) {
          add(out, errorBox(err));
        }
      }
    });
  });
}

export async function organisations(view, ctx) {
  const orgs = await api('GET', 'organisations');
  if (!ctx.isCurrent()) return;
  pageTitle(view, 'Organisations', 'Les CAE du réseau.');
  add(view, h('div', { 'data-testid': 'organisations' }, orgs.length ? table('Organisations', ['Nom', 'Forme juridique', 'Ville', 'Région', 'Membre depuis', ''],
    orgs.map((o) => [o.name, o.legal_form || '—', o.city || '—', o.region || '—', o.member_since ? frDate(o.member_since) : '—',
      h('a', { href: `#/cae/${o.id}` }, h('span', { class: 'visually-hidden' }, `${o.name} : `), 'Tableau de bord')]))
    : message('info', 'Aucune organisation pour l’instant.')));
  if (ctx.user.role !== 'admin') return;
  const input = (name, attrs = {}) => h('input', { type: 'text', name, id: `org-${name}`, autocomplete: 'off', ...attrs });
  const name = input('name', { required: true });
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Créer l’organisation');
  const form = h('form', { class: 'form grid-form', novalidate: true },
    field('Nom', name).wrap, field('Forme juridique', input('legal_form', { list: 'legal-forms' })).wrap,
    h('datalist', { id: 'legal-forms' }, ['SCOP SA', 'SCOP SARL', 'SCOP SAS', 'SCIC SA', 'SCIC SARL', 'SCIC SAS'].map((v) => h('option', { value: v }))),
    field('Ville', input('city')).wrap, field('Région', input('region')).wrap,
    field('Membre du réseau depuis', input('member_since', { type: 'date' })).wrap, out, h('p', submit));
  formSubmit(form, submit, out, async () => {
    if (!name.value.trim()) {
      add(out, message('error', 'Indiquez le nom de l’organisation.'));
      name.focus();
      return;
    }
    const body = {};
    for (const el of form.querySelectorAll('input[name]')) if (el.value.trim()) body[el.name] = el.value.trim();
    const o = await api('POST', 'organisations', body);
    add(out, message('success', `Organisation « ${o.name} » créée (n° ${o.id}).`));
    setTimeout(() => ctx.rerender(), 800);
  });
  add(view, h('section', { class: 'card', 'aria-labelledby': 'new-org' }, h('h2', { id: 'new-org' }, 'Nouvelle organisation'), form));
}

export async function users(view, ctx) {
  const [list, orgs] = await Promise.all([api('GET', 'users'), api('GET', 'organisations')]);
  if (!ctx.isCurrent()) return;
  const orgName = new Map(orgs.map((o) => [o.id, o.name]));
  const now = today();
  pageTitle(view, 'Utilisateurs et rôles', 'Les personnes qui se connectent à la plate-forme, leur rôle, leur organisation et, pour les auditeurs, la date de fin de leur certification.');
  add(view, h('div', { 'data-testid': 'users' }, table('Utilisateurs', ['Nom', 'Adresse', 'Rôle', 'Organisation', 'Certification'], list.map((u) => [
    u.name, u.email, ROLES[u.role] || u.role, u.organisation_id ? orgName.get(u.organisation_id) || `n° ${u.organisation_id}` : '—',
    u.role === 'auditor' ? (u.certified_until ? `${u.certified_until < now ? 'expirée le' : 'jusqu’au'} ${frDate(u.certified_until)}` : 'non certifié') : '—']))));
  add(view, message('info', 'Les rôles, organisations et certifications des comptes existants ne se modifient pas encore depuis la plate-forme : l’API ne le permet pas.'));

  const email = h('input', { type: 'email', name: 'email', id: 'user-email', autocomplete: 'off', required: true });
  const name = h('input', { type: 'text', name: 'name', id: 'user-name', autocomplete: 'off', required: true });
  const role = h('select', { name: 'role', id: 'user-role' }, Object.entries(ROLES).map(([k, v]) => h('option', { value: k }, v)));
  const org = h('select', { name: 'organisation_id', id: 'user-org' }, h('option', { value: '' }, 'Aucune'), orgs.map((o) => h('option', { value: o.id }, o.name)));
  const cert = h('input', { type: 'date', name: 'certified_until', id: 'user-cert' });
  const password = h('input', { type: 'password', name: 'password', id: 'user-password', autocomplete: 'new-password', minlength: 10, required: true });
  const certField = field('Certifié jusqu’au', cert, 'La certification délivrée par le réseau ; seul un auditeur certifié à ce jour peut être désigné.');
  const orgField = field('Organisation', org, 'Obligatoire pour un membre de CAE ; facultative pour un auditeur (pair venant d’une CAE membre).');
  const sync = () => {
    certField.wrap.hidden = role.value !== 'auditor';
    orgField.wrap.hidden = !['cae', 'auditor'].includes(role.value);
  };
  role.addEventListener('change', sync);
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Créer le compte');
  const form = h('form', { class: 'form grid-form', novalidate: true },
    field('Nom', name).wrap, field('Adresse électronique', email).wrap, field('Rôle', role).wrap, orgField.wrap, certField.wrap,
    field('Mot de passe initial', password, 'Au moins 10 caractères ; à transmettre à la personne par un canal sûr.').wrap, out, h('p', submit));
  sync();
  formSubmit(form, submit, out, async () => {
    if (!name.value.trim() || !email.value.trim() || password.value.length < 10) {
      add(out, message('error', 'Indiquez le nom, l’adresse et un mot de passe d’au moins 10 caractères.'));
      return;
    }
    if (role.value === 'cae' && !org.value) {
      add(out, message('error', 'Un membre de CAE appartient à une organisation : choisissez-la.'));
      org.focus();
      return;
    }
    const body = { email: email.value.trim(), name: name.value.trim(), role: role.value, password: password.value };
    if (org.value && !orgField.wrap.hidden) body.organisation_id = Number(org.value);
    if (cert.value && role.value === 'auditor') body.certified_until = cert.value;
    const u = await api('POST', 'users', body);
    add(out, message('success', `Compte créé pour ${u.name} (n° ${u.id}).`));
    setTimeout(() => ctx.rerender(), 800);
  });
  add(view, h('section', { class: 'card', 'aria-labelledby': 'new-user' }, h('h2', { id: 'new-user' }, 'Nouveau compte'), form));
}

export async function tokens(view, ctx) {
  pageTitle(view, 'Jetons d’API', 'Un jeton permet à un système extérieur d’utiliser l’API en votre nom (en-tête « Authorization: Bearer … »). Il n’est affiché qu’une fois : conservez-le en lieu sûr.');
  const name = h('input', { type: 'text', name: 'name', id: 'token-name', autocomplete: 'off', required: true });
  const out = h('div', { 'aria-live': 'polite' });
  const result = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Créer le jeton');
  const form = h('form', { class: 'form narrow', novalidate: true }, field('Nom du jeton', name, 'Par exemple : « Outil de suivi du réseau ».').wrap, out, h('p', submit));
  formSubmit(form, submit, out, async () => {
    result.replaceChildren();
    if (!name.value.trim()) {
      add(out, message('error', 'Donnez un nom au jeton.'));
      name.focus();
      return;
    }
    const t = await api('POST', 'tokens', { name: name.value.trim() });
    const shown = h('input', { type: 'text', readonly: true, id: 'token-value', value: t.token, 'data-no-draft': true, class: 'mono' });
    form.reset();
    result.replaceChildren(message('success', `Jeton « ${t.name} » créé. Copiez-le maintenant : il ne sera plus affiché.`), field('Le jeton', shown).wrap);
    shown.focus();
    shown.select();
  });
  add(view, h('section', { class: 'card' }, form, result),
    message('info', 'La liste et la révocation des jetons existants ne sont pas encore proposées par l’API.'));
  void ctx;
}
