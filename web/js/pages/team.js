// team: "Mon équipe", a CAE's members as its responsible member (or an
// administrator) manages them: GET /organisations/{id}/team, a colleague
// disabled or enabled, made responsible or not (PATCH .../team/{user}), or
// removed from the CAE (DELETE .../team/{user}: their CAE role goes, the
// account stays with its other roles), or invited (POST /invitations with
// the role "cae": the colleague gets an e-mailed link, valid 7 days, to
// choose their password). One's own membership is another responsible
// member's to change, so it shows no button.
import { api } from '../api.js';
import { h, add, field } from '../dom.js';
import { roleName, ofName } from '../i18n.js';
import { pageTitle, message, errorBox, table, busy, confirmAction, listChanged } from '../ui.js';

function status(m) {
  return m.disabled ? 'Désactivé' : 'Actif';
}

function others(m) {
  return m.other_roles.length ? m.other_roles.map(roleName).join(', ') : '—';
}

export async function team(view, ctx) {
  const org = ctx.params.id;
  const list = await api('GET', `organisations/${org}/team`);
  if (!ctx.isCurrent()) return;
  pageTitle(view, 'Mon équipe',
    'Les membres de votre CAE : désactivez un compte, retirez une personne de la CAE, ou confiez la gestion de l’équipe à un·e collègue.');
  const out = h('div', { 'aria-live': 'polite', tabindex: '-1' });
  const listBox = h('div', { 'data-testid': 'team' });
  add(view, out, listBox, h('p', { class: 'hint' },
    'Une personne qui a aussi un autre rôle (auditeur, comité…) garde son compte quand elle quitte la CAE ; '
    + 'seule l’administration du réseau désactive son compte.'));

  const refresh = async () => render(await api('GET', `organisations/${org}/team`));
  const rowButton = (id, action) => listBox.querySelector(`tr[data-member="${id}"] [data-action="${action}"]`);

  /** Sends a change of member m; says text and redraws the list on success. */
  async function change(button, m, method, body, text, focusAction) {
    await busy(button, async () => {
      try {
        await api(method, `organisations/${org}/team/${m.id}`, body);
      } catch (err) {
        if (err.status === 401) return;
        out.replaceChildren(errorBox(err));
        out.focus();
        return;
      }
      await listChanged(out, text, refresh, () => rowButton(m.id, focusAction));
    });
  }

  function actions(m) {
    if (m.id === ctx.user.id) return h('span', { class: 'hint' }, 'Vous');
    const who = ofName(m.name);
    const disable = h('button', { type: 'button', class: 'button-secondary small', 'data-action': 'disable' },
      m.disabled ? 'Réactiver' : 'Désactiver', h('span', { class: 'visually-hidden' }, ` le compte ${who}`));
    disable.addEventListener('click', () => change(disable, m, 'PATCH', { disabled: !m.disabled },
      m.disabled ? `Le compte ${who} est réactivé.` : `Le compte ${who} est désactivé : ses sessions sont fermées.`,
      'disable'));
    const lead = h('button', { type: 'button', class: 'button-secondary small', 'data-action': 'responsible' },
      m.responsible ? 'Retirer la gestion de l’équipe' : 'Confier la gestion de l’équipe',
      h('span', { class: 'visually-hidden' }, ` à ${m.name}`));
    lead.addEventListener('click', () => change(lead, m, 'PATCH', { responsible: !m.responsible },
      m.responsible ? `${m.name} ne gère plus l’équipe.` : `${m.name} gère désormais l’équipe avec vous.`,
      'responsible'));
    const [remove, confirm] = confirmAction({
      label: 'Retirer de la CAE', hidden: ` ${m.name}`, question: `Retirer ${m.name} de la CAE ?`,
      yes: 'Oui, retirer', action: 'remove',
    }, (yes) => change(yes, m, 'DELETE', undefined, `${m.name} ne fait plus partie de la CAE.`, 'remove'));
    return h('span', { class: 'row-actions' }, m.other_roles.length ? null : disable, ' ', lead, ' ', remove, confirm);
  }

  function render(members) {
    if (!members.length) {
      listBox.replaceChildren(message('info', 'Aucun membre dans cette CAE.'));
      return;
    }
    const t = table('Membres de la CAE', ['Nom', 'Adresse', 'Compte', 'Gère l’équipe', 'Autres rôles', 'Actions'],
      members.map((m) => [m.name, m.email, status(m), m.responsible ? 'Oui' : 'Non', others(m), actions(m)]));
    t.querySelectorAll('tbody tr').forEach((tr, i) => tr.setAttribute('data-member', String(members[i].id)));
    listBox.replaceChildren(t);
  }
  render(list);
  inviteForm(view, Number(org), refresh);
}

/* "Inviter un·e collègue": name and address; the colleague becomes a member
 * of this CAE once they follow the e-mailed link and choose a password. */
function inviteForm(view, org, refresh) {
  const name = h('input', { type: 'text', id: 'invite-name', name: 'name', autocomplete: 'off', required: true, maxlength: 200 });
  const email = h('input', { type: 'email', id: 'invite-email', name: 'email', autocomplete: 'off', required: true,
    spellcheck: 'false', autocapitalize: 'off', maxlength: 254 });
  const out = h('div', { 'data-testid': 'invite-result', tabindex: '-1' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Envoyer l’invitation');
  const title = h('h2', { id: 'invite-title' }, 'Inviter un·e collègue');
  const form = h('form', { class: 'form narrow', novalidate: true, 'aria-labelledby': title.id },
    h('p', { class: 'hint' }, 'Votre collègue reçoit un lien par courriel, valable 7 jours, pour choisir son mot de passe ; '
      + 'son compte rejoint alors votre CAE.'),
    field('Nom', name).wrap, field('Adresse électronique', email).wrap, out, submit);
  const say = (el, bad) => {
    for (const i of [name, email]) i.removeAttribute('aria-invalid');
    if (bad) bad.setAttribute('aria-invalid', 'true');
    out.replaceChildren(el);
    (bad || out).focus();
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!name.value.trim()) return say(message('error', 'Saisissez le nom de votre collègue.'), name);
    if (!email.value.includes('@')) return say(message('error', 'Saisissez l’adresse électronique de votre collègue.'), email);
    await busy(submit, async () => {
      try {
        await api('POST', 'invitations', { email: email.value.trim(), name: name.value.trim(), role: 'cae', organisation_id: org });
      } catch (err) {
        if (err.status === 401) return;
        say(errorBox(err), err.path === '$.email' ? email : err.path === '$.name' ? name : null);
        return;
      }
      const done = message('success', `Invitation envoyée à ${email.value.trim()}. Votre collègue apparaîtra dans la liste une fois son mot de passe choisi.`);
      name.value = '';
      email.value = '';
      say(done, null);
      await refresh();
    });
  });
  add(view, h('section', { class: 'card', 'aria-labelledby': title.id }, title, form));
}
