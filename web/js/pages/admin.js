// admin: organisations (list for overseers and auditors, creation for the
// administration), users with roles and certification dates, API tokens.
import { api } from '../api.js';
import { h, field, add } from '../dom.js';
import { ROLES, frDate, frDateTime, ofName, roleName } from '../i18n.js';
import { fieldReason, frenchReason } from '../errors.js';
import { pageTitle, message, errorBox, table, busy, today, confirmAction, listChanged } from '../ui.js';

/** Runs a form's submission; conflict(err) may name a 409 in words (else a general text). */
function formSubmit(form, submit, out, run, conflict = () => null) {
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
          const label = el ? el.closest('.field').querySelector('label').textContent : key;
          add(out, message('error', `Le champ « ${label} » ${fieldReason(err) || 'est refusé'}.`, err.apiMessage));
          if (el) el.focus();
        } else if (err.status === 409) {
          add(out, message('error', conflict(err) || frenchReason(err) || 'Opération impossible : cet élément existe déjà ou son état l’interdit.', err.apiMessage));
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
  const listOut = h('div', { 'aria-live': 'polite' });
  const listBox = h('div', { 'data-testid': 'organisations' });
  const render = (rows) => {
    listBox.replaceChildren(rows.length ? table('Organisations', ['Nom', 'Forme juridique', 'Ville', 'Région', 'Membre depuis', ''],
      rows.map((o) => [o.name, o.legal_form || '—', o.city || '—', o.region || '—', o.member_since ? frDate(o.member_since) : '—',
        h('a', { href: `#/cae/${o.id}`, 'data-org': o.id }, h('span', { class: 'visually-hidden' }, `${o.name} : `), 'Tableau de bord')]))
      : message('info', 'Aucune organisation pour l’instant.'));
  };
  render(orgs);
  add(view, listOut, listBox);
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
    // emptied for the next one; the list above shows this one
    form.reset();
    await listChanged(listOut, `Organisation « ${o.name} » créée (n° ${o.id}).`, async () => render(await api('GET', 'organisations')),
      () => listBox.querySelector(`a[data-org="${o.id}"]`));
  });
  add(view, h('section', { class: 'card', 'aria-labelledby': 'new-org' }, h('h2', { id: 'new-org' }, 'Nouvelle organisation'), form));
}

/**
 * The role, organisation and certification controls of a user form: the
 * organisation shows for CAE members and auditors, the certification for
 * auditors only; what is hidden counts as none.
 */
function roleControls(prefix, orgs, user = {}, roleHint = undefined) {
  const role = h('select', { name: 'role', id: `${prefix}-role` }, Object.entries(ROLES).map(([k, v]) => h('option', { value: k }, v)));
  const org = h('select', { name: 'organisation_id', id: `${prefix}-org` }, h('option', { value: '' }, 'Aucune'), orgs.map((o) => h('option', { value: o.id }, o.name)));
  const cert = h('input', { type: 'date', name: 'certified_until', id: `${prefix}-cert` });
  if (user.role) role.value = user.role;
  org.value = user.organisation_id ? String(user.organisation_id) : '';
  cert.value = user.certified_until || '';
  const certField = field('Certifié jusqu’au', cert, 'La certification délivrée par le réseau ; seul un auditeur certifié à ce jour peut être désigné. Vide : non certifié.');
  const orgField = field('Organisation', org, 'Obligatoire pour un membre de CAE ; facultative pour un auditeur (pair venant d’une CAE membre).');
  const sync = () => {
    certField.wrap.hidden = role.value !== 'auditor';
    orgField.wrap.hidden = !['cae', 'auditor'].includes(role.value);
  };
  role.addEventListener('change', sync);
  sync();
  return {
    role,
    wraps: [field('Rôle', role, roleHint).wrap, orgField.wrap, certField.wrap],
    orgId: () => (orgField.wrap.hidden || !org.value ? null : Number(org.value)),
    certified: () => (certField.wrap.hidden || !cert.value ? null : cert.value),
    /** A CAE member without organisation: says so in out and returns true. */
    missingOrg(out) {
      if (role.value !== 'cae' || org.value) return false;
      add(out, message('error', 'Un membre de CAE appartient à une organisation : choisissez-la.'));
      org.focus();
      return true;
    },
  };
}

/** The draft audits that keep an auditor from changing (409): the API names them only in its message. */
function draftAudits(err) {
  const m = /auditor of draft audits ([\d, ]+)/.exec(err.apiMessage || '');
  return m ? m[1].split(',').map((x) => x.trim()).filter(Boolean) : null;
}

/** That refusal in words, with the way out: the Audits page gives them to another auditor. */
function draftAuditsRefusal(ids, roleChanged) {
  const many = ids.length > 1;
  const audits = `${many ? 'des audits' : 'un audit'} en cours${roleChanged ? '' : ' de cette CAE'} (n° ${ids.join(', ')})`;
  return [`Cet auditeur a encore ${audits} : confiez-${many ? 'les' : 'le'} d’abord à un autre auditeur depuis la page `,
    h('a', { href: '#/audits' }, 'Audits'), roleChanged ? '.' : ' ; un auditeur n’audite jamais sa propre CAE.'];
}

const CONFIRMATION = 'Le rôle « Comité de labellisation » prendra effet quand un membre du Comité l’aura confirmé.';

/** The role in effect, and the one waiting for a committee member's confirmation. */
function roleText(u) {
  const role = roleName(u.role);
  return u.pending_role ? `${role} (${roleName(u.pending_role)} à confirmer)` : role;
}

/** A person's roles after their first (the form changes the first): "" when none. */
function otherRoles(u) {
  const more = (u.roles || []).slice(1).map((r) => (r.role === 'none' ? `${roleName(r.pending_role)} à confirmer` : roleName(r.role)));
  return more.length ? ` ; aussi : ${more.join(', ')}` : '';
}

/**
 * For a committee member: the committee roles an administrator gave, each
 * waiting for another member's confirmation; null when none waits.
 */
export async function roleConfirmations(ctx) {
  const waiting = (await api('GET', 'users'))
    .filter((u) => (u.pending_role || (u.roles || []).some((r) => r.pending_role)) && u.id !== ctx.user.id);
  if (!waiting.length) return null;
  const out = h('div', { 'aria-live': 'polite' });
  const box = h('section', { class: 'card', 'aria-labelledby': 'role-confirmations', 'data-testid': 'role-confirmations' },
    h('h2', { id: 'role-confirmations' }, 'Rôles à confirmer'),
    h('p', { class: 'hint' }, 'L’administration a donné le rôle « Comité de labellisation » à ces comptes ; il prend effet quand un autre membre du Comité le confirme.'),
    out, table('Rôles à confirmer', ['Nom', 'Adresse', 'Rôle actuel', 'Action'], waiting.map((u) => {
      const confirm = h('button', { type: 'button', class: 'button small' }, 'Confirmer', h('span', { class: 'visually-hidden' }, ` le rôle ${ofName(u.name)}`));
      confirm.addEventListener('click', () => busy(confirm, async () => {
        out.replaceChildren();
        try {
          await api('POST', `users/${u.id}/confirm-role`);
          confirm.replaceWith(h('span', 'Confirmé'));
          add(out, message('success', `Rôle ${ofName(u.name)} confirmé.`));
        } catch (err) {
          add(out, errorBox(err));
        }
      }));
      return [u.name, u.email, roleName(u.role), confirm];
    })));
  return box;
}

const PASSWORD_HINT = 'Au moins 10 caractères ; à transmettre à la personne par un canal sûr.';

export async function users(view, ctx) {
  const [list, orgs] = await Promise.all([api('GET', 'users'), api('GET', 'organisations')]);
  if (!ctx.isCurrent()) return;
  const orgName = new Map(orgs.map((o) => [o.id, o.name]));
  const now = today();
  pageTitle(view, 'Utilisateurs et rôles', 'Les personnes qui se connectent à la plate-forme, leur rôle, leur organisation et, pour les auditeurs, la date de fin de leur certification.');
  const listOut = h('div', { 'aria-live': 'polite' });
  const listBox = h('div', { 'data-testid': 'users' });
  const editBox = h('div');

  function render(rows) {
    listBox.replaceChildren(table('Utilisateurs', ['Nom', 'Adresse', 'Rôle', 'Organisation', 'Certification', 'Actions'], rows.map((u) => {
      const edit = h('button', { type: 'button', class: 'button-secondary small', 'data-user': u.id }, 'Modifier', h('span', { class: 'visually-hidden' }, ` le compte ${ofName(u.name)}`));
      edit.addEventListener('click', () => openEdit(u));
      return [u.name, u.email, `${roleText(u)}${otherRoles(u)}${u.disabled ? ' (compte désactivé)' : ''}`,
        u.organisation_id ? orgName.get(u.organisation_id) || `n° ${u.organisation_id}` : '—',
        u.role === 'auditor' ? (u.certified_until ? `${u.certified_until < now ? 'expirée le' : 'jusqu’au'} ${frDate(u.certified_until)}` : 'non certifié') : '—',
        edit];
    })));
  }
  const refresh = async () => render(await api('GET', 'users'));
  /** The row's "Modifier" button, where the focus goes back. */
  const rowButton = (id) => listBox.querySelector(`button[data-user="${id}"]`);

  function openEdit(shown) {
    // a role waiting for confirmation is the one the form shows and changes
    const u = { ...shown, role: shown.pending_role || shown.role };
    listOut.replaceChildren();
    const self = u.id === ctx.user.id;
    const name = h('input', { type: 'text', name: 'name', id: 'edit-name', autocomplete: 'off', required: true, value: u.name });
    const email = h('input', { type: 'email', name: 'email', id: 'edit-email', autocomplete: 'off', required: true, value: u.email });
    const rc = roleControls('edit', orgs, u, self ? 'Votre propre compte : sans le rôle « Administration du réseau », vous n’aurez plus accès à ces pages.' : undefined);
    const password = h('input', { type: 'password', name: 'password', id: 'edit-password', autocomplete: 'new-password', minlength: 10 });
    const disabled = h('input', { type: 'checkbox', name: 'disabled', id: 'edit-disabled', checked: !!u.disabled, 'aria-describedby': 'edit-disabled-hint' });
    const disabledField = h('div', { class: 'field' }, h('div', { class: 'radio' }, disabled, h('label', { for: disabled.id }, 'Compte désactivé')),
      h('p', { class: 'hint', id: 'edit-disabled-hint' }, 'La personne ne peut plus se connecter ; ses sessions et ses jetons d’API sont révoqués. Décochez pour lui rendre l’accès avec son mot de passe.'));
    const out = h('div', { 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', class: 'button' }, 'Enregistrer les modifications');
    const cancel = h('button', { type: 'button', class: 'button-secondary' }, 'Annuler');
    const title = h('h2', { id: 'edit-user-title', tabindex: '-1' }, `Modifier le compte ${ofName(u.name)}`);
    const form = h('form', { class: 'form grid-form', novalidate: true },
      field('Nom', name).wrap, field('Adresse électronique', email).wrap, rc.wraps,
      field('Nouveau mot de passe', password, `Facultatif : laissez vide pour garder l’actuel. ${self
        ? 'Au moins 10 caractères. Il ferme vos sessions ouvertes : vous devrez vous reconnecter ; vos jetons d’API restent valables.'
        : `${PASSWORD_HINT} Il ferme les sessions ouvertes de cette personne ; ses jetons d’API restent valables.`}`).wrap,
      self ? null : disabledField, out, h('p', { class: 'actions' }, submit, cancel));
    cancel.addEventListener('click', () => {
      editBox.replaceChildren();
      const b = rowButton(u.id);
      if (b) b.focus();
    });
    let sent = {};
    formSubmit(form, submit, out, async () => {
      const want = { name: name.value.trim(), email: email.value.trim(), role: rc.role.value, organisation_id: rc.orgId(), certified_until: rc.certified() };
      if (!self) want.disabled = disabled.checked;
      if (!want.name || !want.email) {
        add(out, message('error', 'Indiquez le nom et l’adresse électronique.'));
        (want.name ? email : name).focus();
        return;
      }
      if (rc.missingOrg(out)) return;
      if (password.value && password.value.length < 10) {
        add(out, message('error', 'Le nouveau mot de passe doit compter au moins 10 caractères.'));
        password.focus();
        return;
      }
      sent = {};
      for (const [k, v] of Object.entries(want)) if (v !== (u[k] ?? null)) sent[k] = v;
      if (password.value) sent.password = password.value;
      if (!Object.keys(sent).length) {
        add(out, message('info', 'Aucune modification à enregistrer.'));
        return;
      }
      const v = await api('PATCH', `users/${u.id}`, sent);
      if (self && (sent.role || sent.password)) {
        // the application starts again: at the login page (the password
        // ended this session), or under the new role
        location.hash = sent.password ? '#/connexion?mot-de-passe=1' : '#/';
        location.reload();
        return;
      }
      editBox.replaceChildren();
      const said = sent.disabled === true ? ' Il est désactivé : ses sessions et ses jetons sont révoqués.'
        : sent.disabled === false ? ' Il est réactivé.' : sent.password ? ' Ses sessions ouvertes sont fermées.' : '';
      // a committee role given, or whose holder's password or email changed, waits for a member
      const waits = v.pending_role && !shown.pending_role ? ` ${CONFIRMATION}` : '';
      await listChanged(listOut, `Compte ${ofName(v.name)} modifié.${said}${waits}`, refresh, () => rowButton(u.id));
    }, (err) => {
      const audits = draftAudits(err);
      if (audits) return draftAuditsRefusal(audits, err.path === '$.role');
      const demoted = (sent.role || sent.disabled) && u.role === 'admin';
      if (demoted && sent.email) return 'Modification impossible : l’adresse électronique est déjà celle d’un autre compte, ou c’est le dernier compte d’administration du réseau.';
      if (demoted) return 'C’est le dernier compte d’administration du réseau : donnez d’abord ce rôle à un autre compte.';
      return sent.email ? 'Cette adresse électronique est déjà celle d’un autre compte.' : null;
    });
    editBox.replaceChildren(h('section', { class: 'card', 'aria-labelledby': title.id, 'data-testid': 'edit-user' }, title, form));
    title.focus();
  }

  render(list);
  add(view, listOut, listBox, editBox);

  const email = h('input', { type: 'email', name: 'email', id: 'user-email', autocomplete: 'off', required: true });
  const name = h('input', { type: 'text', name: 'name', id: 'user-name', autocomplete: 'off', required: true });
  const rc = roleControls('user', orgs);
  const password = h('input', { type: 'password', name: 'password', id: 'user-password', autocomplete: 'new-password', minlength: 10, required: true });
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Créer le compte');
  const form = h('form', { class: 'form grid-form', novalidate: true },
    field('Nom', name).wrap, field('Adresse électronique', email).wrap, rc.wraps,
    field('Mot de passe initial', password, PASSWORD_HINT).wrap, out, h('p', submit));
  formSubmit(form, submit, out, async () => {
    if (!name.value.trim() || !email.value.trim() || password.value.length < 10) {
      add(out, message('error', 'Indiquez le nom, l’adresse et un mot de passe d’au moins 10 caractères.'));
      return;
    }
    if (rc.missingOrg(out)) return;
    const body = { email: email.value.trim(), name: name.value.trim(), role: rc.role.value, password: password.value };
    if (rc.orgId()) body.organisation_id = rc.orgId();
    if (rc.certified()) body.certified_until = rc.certified();
    const u = await api('POST', 'users', body);
    // emptied for the next account (reset fires no change: the role's fields follow by hand)
    form.reset();
    rc.role.dispatchEvent(new Event('change'));
    await listChanged(listOut, `Compte créé pour ${u.name} (n° ${u.id}).${u.pending_role ? ` ${CONFIRMATION}` : ''}`, refresh, () => rowButton(u.id));
  });
  add(view, h('section', { class: 'card', 'aria-labelledby': 'new-user' }, h('h2', { id: 'new-user' }, 'Nouveau compte'), form));
}

export async function tokens(view, ctx) {
  const list = await api('GET', 'tokens');
  if (!ctx.isCurrent()) return;
  pageTitle(view, 'Jetons d’API', 'Un jeton permet à un système extérieur d’utiliser l’API en votre nom (en-tête « Authorization: Bearer … »). Il n’est affiché qu’une fois : conservez-le en lieu sûr.');
  const listTitle = h('h2', { id: 'tokens-list', tabindex: '-1' }, 'Les jetons existants');
  const listOut = h('div', { 'aria-live': 'polite' });
  const listBox = h('div', { 'data-testid': 'tokens' });

  function render(rows) {
    listBox.replaceChildren(rows.length ? table('Jetons d’API', ['Nom', 'Créé par', 'Créé le', 'Dernière utilisation', 'Actions'], rows.map((t) => [
      // a last use at the creation time says nothing: no use recorded
      t.name, t.user_name, frDateTime(t.created_at), t.last_used_at && t.last_used_at !== t.created_at ? frDateTime(t.last_used_at) : '—',
      h('span', { class: 'actions', 'data-token': t.id }, confirmAction({ label: 'Révoquer', hidden: ` le jeton « ${t.name} »`, question: 'Révoquer ce jeton ?', yes: 'Oui, révoquer', action: 'revoke' },
        (yes) => busy(yes, async () => {
          listOut.replaceChildren();
          try {
            await api('DELETE', `tokens/${t.id}`);
            add(listOut, message('success', `Jeton « ${t.name} » révoqué : il ne donne plus accès à l’API.`));
            await refresh();
          } catch (err) {
            if (err.status === 401) return;
            add(listOut, errorBox(err));
            if (err.status === 404) await refresh().catch(() => {});
          }
          listTitle.focus();
        })))])) : message('info', 'Aucun jeton pour l’instant.'));
  }
  const refresh = async () => render(await api('GET', 'tokens'));
  render(list);

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
    listOut.replaceChildren();
    await refresh();
    shown.focus();
    shown.select();
  });
  add(view, h('section', { class: 'card' }, form, result),
    h('section', { class: 'card', 'aria-labelledby': listTitle.id }, listTitle,
      h('p', { class: 'hint' }, 'Un jeton révoqué cesse aussitôt de fonctionner : le système qui s’en sert reçoit une erreur 401.'), listOut, listBox));
}
