// committee: audits (assigned ones for an auditor), audits awaiting decision
// with their computed outcome and reasons, the decision form, opening an audit.
import { api, getReferential } from '../api.js';
import { h, field, newId, add } from '../dom.js';
import { DECISIONS, frDate, frNumber } from '../i18n.js';
import { frenchReason } from '../errors.js';
import { pageTitle, message, errorBox, outcomeBadge, statusBadge, table, busy, today, shorten, listChanged } from '../ui.js';
import { decisionBlock } from './results.js';
import { roleConfirmations } from './admin.js';
import { documentsSeen } from './documents.js';

export async function audits(view, ctx) {
  const auditor = ctx.user.role === 'auditor';
  // the committee and the administration see who audits, and change it
  const [list, people] = await Promise.all([auditList(), auditor ? null : loadPeople()]);
  if (!ctx.isCurrent()) return;
  pageTitle(view, auditor ? 'Mes audits' : 'Audits',
    auditor ? 'Les audits qui vous sont confiés : renseignez un constat par critère, les parties prenantes internes rencontrées, puis soumettez l’audit au Comité.'
      : 'Tous les audits du réseau. Un audit en brouillon peut être confié à un autre auditeur : les constats déjà saisis le suivent.');
  const listOut = h('div', { 'aria-live': 'polite' });
  const listBox = h('div', { 'data-testid': 'audits' });
  const render = (rows) => {
    const open = listBox.querySelector('tr.reassign-row');
    listBox.replaceChildren(rows.length ? auditTable(rows, ctx, people, reassign)
      : message('info', auditor ? 'Aucun audit ne vous est confié pour l’instant.' : 'Aucun audit pour l’instant.'));
    if (open) keepOpen(listBox, open);
  };
  /** The list again in place, the message above it, the focus on the audit's row. */
  const shown = (a, text) => listChanged(listOut, text, async () => render(await auditList()), () => rowControl(listBox, a.id));
  const changed = (a, former) => shown(a, `Audit n° ${a.id} de ${a.organisation} confié à ${auditorName(people, a.auditor_id)}. `
    + `Les constats déjà saisis restent ; ${auditorName(people, former)} n’y a plus accès.`);
  function reassign(x, button) {
    listOut.replaceChildren();
    openReassign(x, button, people, changed);
  }
  render(list);
  add(view, listOut, listBox);
  if (!auditor) add(view, openAuditForm(people, (a) => shown(a, `Audit n° ${a.id} ouvert pour ${a.organisation}.`)));
}

/**
 * A change of auditor still open when the list is drawn again (an audit was
 * opened meanwhile) stays open, with what was chosen, under the same audit,
 * as long as the audit is still a draft.
 */
function keepOpen(listBox, formRow) {
  const button = listBox.querySelector(`button[data-reassign="${formRow.dataset.for}"]`);
  if (!button) return;
  button.closest('tr').after(formRow);
  button.setAttribute('aria-expanded', 'true');
}

/** Where the focus goes in an audit's row: its change of auditor while a draft, else its first link. */
function rowControl(listBox, id) {
  return listBox.querySelector(`button[data-reassign="${id}"]`) || listBox.querySelector(`a[data-audit="${id}"]`);
}

/** The audits, newest first. */
async function auditList() {
  return (await api('GET', 'assessments')).filter((x) => x.kind === 'audit').sort((x, y) => y.id - x.id);
}

/**
 * The organisations, and the users the committee and the administration
 * pick auditors from (GET /users); users is null when they cannot be listed.
 */
async function loadPeople() {
  const [orgs, users] = await Promise.all([api('GET', 'organisations'), api('GET', 'users').catch((err) => {
    if (err.status === 401) throw err;
    return null;
  })]);
  return {
    orgs, users, orgName: new Map(orgs.map((o) => [o.id, o.name])),
    user: new Map((users || []).map((u) => [u.id, u])),
  };
}

function auditorName(people, id) {
  return people.user.get(id)?.name || `l’auditeur n° ${id}`;
}

/** The audits table; the committee and the administration also see the auditor, and change the one of a draft. */
function auditTable(list, ctx, people, reassign) {
  const auditor = !people;
  const headers = ['CAE', 'N°', auditor ? null : 'Auditeur ou auditrice', 'Statut', 'Ouvert le', 'Soumis le', 'Liens'].filter(Boolean);
  return table('Audits', headers, list.map((x) => [
    x.organisation, String(x.id), auditor ? null : auditorCell(x, people, reassign), statusBadge(x.status, x.kind), frDate(x.created_at),
    x.submitted_at ? frDate(x.submitted_at) : '—',
    h('span', { class: 'links' }, h('a', { href: `#/evaluations/${x.id}`, 'data-audit': x.id }, auditor && x.status === 'draft' ? 'Auditer' : 'Constats'), ' · ',
      h('a', { href: `#/evaluations/${x.id}/resultats` }, 'Résultats'),
      !auditor && x.status === 'submitted' && ctx.user.role === 'committee' ? [' · ', h('a', { href: `#/comite/audits/${x.id}` }, 'Décider')] : null),
  ].filter((cell) => cell !== null)));
}

/** The auditor's name and, while the audit is a draft, the button that gives it to another. */
function auditorCell(x, people, reassign) {
  const name = auditorName(people, x.auditor_id);
  if (x.status !== 'draft') return name;
  const stuck = cannotAudit(people.user.get(x.auditor_id));
  const button = h('button', { type: 'button', class: 'button-secondary small', 'data-reassign': x.id, 'aria-expanded': 'false' }, 'Changer d’auditeur',
    h('span', { class: 'visually-hidden' }, ` pour l’audit n° ${x.id} de ${x.organisation}`));
  button.addEventListener('click', () => reassign(x, button));
  return h('span', { class: 'actions' }, h('span', name, stuck ? h('span', { class: 'badge label-expired auditor-stuck' }, stuck) : null), button);
}

/**
 * Why the auditor of a draft can no longer work on it (the server refuses
 * them), or null: the committee then knows to give the audit to another.
 */
function cannotAudit(u) {
  if (!u) return null;
  if (u.disabled) return 'compte désactivé';
  if (u.role !== 'auditor') return 'n’est plus auditeur';
  if (!u.certified_until || u.certified_until < today()) return 'certification expirée';
  return null;
}

/**
 * The auditor control of a form: a list of the auditors certified today or,
 * when the users cannot be listed, their number. exclude(orgId, currentId)
 * disables the auditors of the audited CAE and the current one, whom the API
 * would refuse anyway.
 */
function auditorPicker(people, { id, label, numberLabel, hint }) {
  if (!people.users) {
    const control = h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric', id, required: true });
    return {
      control,
      wrap: field(numberLabel, control, 'Le numéro d’utilisateur communiqué par l’administration du réseau. Un auditeur doit être certifié et n’audite jamais sa propre CAE.').wrap,
      notAuditor: 'Ce numéro ne correspond à aucun auditeur.',
      exclude() {},
    };
  }
  const now = today();
  // a person may hold several roles: their auditor role, and every CAE any role of theirs names
  const auditorRole = (u) => (u.roles || [u]).find((r) => r.role === 'auditor');
  const orgsOf = (u) => (u.roles || [u]).map((r) => r.organisation_id).filter(Boolean);
  const auditors = people.users.filter((u) => {
    const r = auditorRole(u);
    return r && r.certified_until && r.certified_until >= now;
  }).sort((x, y) => x.name.localeCompare(y.name, 'fr'));
  const options = auditors.map((u) => {
    const r = auditorRole(u);
    return h('option', { value: u.id, 'data-org': orgsOf(u).join(' ') },
      `${u.name}${r.organisation_id ? ` (${people.orgName.get(r.organisation_id) || `CAE n° ${r.organisation_id}`})` : ''} — certifié jusqu’au ${frDate(r.certified_until)}`);
  });
  const control = h('select', { id, required: true }, h('option', { value: '' }, auditors.length ? 'Choisir un auditeur ou une auditrice' : 'Aucun auditeur certifié à ce jour'), options);
  return {
    control,
    wrap: field(label, control, hint).wrap,
    notAuditor: 'Ce compte n’est plus celui d’un auditeur certifié : rechargez la page pour voir la liste à jour.',
    exclude(orgId, currentId) {
      for (const o of options) {
        o.disabled = (!!orgId && o.dataset.org.split(' ').includes(String(orgId))) || o.value === String(currentId);
        if (o.disabled && o.selected) control.value = '';
      }
    },
  };
}

/** The API's refusal of an auditor in words (conflict for a 409), the general error box otherwise; nothing for a 401 (the login comes back). */
function auditorError(err, picker, conflict) {
  if (err.status === 409) return message('error', conflict, err.apiMessage);
  if (err.status === 400 && err.path === '$.auditor_id') return message('error', picker.notAuditor, err.apiMessage);
  return err.status === 401 ? null : errorBox(err);
}

/**
 * Giving a draft audit to another auditor: a form in a row under the audit's
 * row (one open at a time); done(assessment, formerAuditorId) on success.
 */
function openReassign(x, button, people, done) {
  const wasOpen = button.getAttribute('aria-expanded') === 'true';
  for (const open of button.closest('table').querySelectorAll('tr.reassign-row')) close(open);
  // the button opens and closes its form
  if (wasOpen) return;
  const row = button.closest('tr');
  const picker = auditorPicker(people, {
    id: `reassign-${x.id}`, label: 'Nouvel auditeur ou nouvelle auditrice', numberLabel: 'Numéro du nouvel auditeur ou de la nouvelle auditrice',
    hint: 'Seuls les auditeurs certifiés à ce jour sont proposés ; l’auditeur actuel et ceux de la CAE auditée ne peuvent pas être choisis.',
  });
  picker.exclude(x.organisation_id, x.auditor_id);
  const title = h('p', { id: `reassign-title-${x.id}`, class: 'reassign-title' }, `Confier l’audit n° ${x.id} de ${x.organisation} à un autre auditeur`);
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Confier l’audit');
  const cancel = h('button', { type: 'button', class: 'button-secondary' }, 'Annuler');
  const form = h('form', { class: 'form reassign', novalidate: true, 'aria-labelledby': title.id, 'data-testid': 'reassign' }, title,
    h('p', { class: 'hint' }, `Audité aujourd’hui par ${auditorName(people, x.auditor_id)}, qui n’y aura plus accès ; les constats déjà saisis restent avec l’audit.`),
    picker.wrap, out, h('p', { class: 'actions' }, submit, cancel));
  const formRow = h('tr', { class: 'reassign-row', 'data-for': x.id }, h('td', { colspan: row.children.length }, form));
  // The row's button, looked up each time: the list may have been drawn again.
  function close(r) {
    const b = r.closest('table')?.querySelector(`button[data-reassign="${r.dataset.for}"]`);
    if (b) b.setAttribute('aria-expanded', 'false');
    r.remove();
    return b;
  }
  cancel.addEventListener('click', () => close(formRow)?.focus());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const id = Number(picker.control.value);
    if (!id) {
      add(out, message('error', 'Choisissez le nouvel auditeur ou la nouvelle auditrice.'));
      picker.control.focus();
      return;
    }
    busy(submit, async () => {
      let a;
      try {
        a = await api('PATCH', `assessments/${x.id}`, { auditor_id: id });
      } catch (err) {
        // a 409 on $.auditor_id is the auditor's state; without a path, the audit's
        add(out, auditorError(err, picker, err.path === '$.auditor_id'
          ? 'Cette personne ne peut pas recevoir l’audit : le nouvel auditeur doit être certifié à ce jour et extérieur à la CAE auditée.'
          : 'Cet audit n’est plus en brouillon : il ne change plus d’auditeur. Rechargez la page pour voir son état.'));
        return;
      }
      close(formRow);
      await done(a, x.auditor_id);
    });
  });
  row.after(formRow);
  button.setAttribute('aria-expanded', 'true');
  picker.control.focus();
}

/** Opening an audit (committee, admin): the CAE and a certified auditor; opened(assessment) on success. */
function openAuditForm(people, opened) {
  const org = h('select', { id: 'audit-org', required: true }, h('option', { value: '' }, 'Choisir une CAE'), people.orgs.map((o) => h('option', { value: o.id }, o.name)));
  const picker = auditorPicker(people, {
    id: 'audit-auditor', label: 'Auditeur ou auditrice', numberLabel: 'Numéro de l’auditeur ou de l’auditrice',
    hint: 'Seuls les auditeurs certifiés à ce jour sont proposés ; un auditeur n’audite jamais sa propre CAE.',
  });
  // an auditor of the chosen CAE cannot audit it
  const exclude = () => picker.exclude(org.value);
  org.addEventListener('change', exclude);
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Ouvrir l’audit');
  const form = h('form', { class: 'form grid-form', novalidate: true }, field('CAE auditée', org).wrap, picker.wrap, out, h('p', submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    if (!org.value || !Number(picker.control.value)) {
      add(out, message('error', 'Choisissez la CAE et l’auditeur.'));
      return;
    }
    busy(submit, async () => {
      let a;
      try {
        a = await api('POST', `organisations/${org.value}/assessments`, { kind: 'audit', auditor_id: Number(picker.control.value) });
      } catch (err) {
        add(out, auditorError(err, picker, 'Cet auditeur ne peut pas être désigné : il doit être certifié à ce jour et ne jamais auditer sa propre CAE.'));
        return;
      }
      // emptied for the next audit, every auditor offered again; the list above shows this one
      form.reset();
      exclude();
      await opened(a);
    });
  });
  return h('section', { class: 'card', 'aria-labelledby': 'open-audit' }, h('h2', { id: 'open-audit' }, 'Ouvrir un audit'), form);
}

export async function pending(view, ctx) {
  const list = (await api('GET', 'assessments')).filter((x) => x.kind === 'audit');
  const waiting = list.filter((x) => x.status === 'submitted');
  const evs = await Promise.all(waiting.map((x) => api('GET', `assessments/${x.id}/evaluation`)));
  const roles = ctx.user.role === 'committee' ? await roleConfirmations(ctx) : null;
  if (!ctx.isCurrent()) return;
  pageTitle(view, 'Audits en attente de décision', 'Le résultat calculé par les règles et ses raisons, pour chaque audit soumis. Le Comité décide : attribuer, refuser ou ajourner.');
  if (!waiting.length) add(view, message('info', 'Aucun audit n’attend de décision.'));
  waiting.forEach((x, i) => {
    const ev = evs[i];
    add(view, h('section', { class: 'card', 'aria-labelledby': `w-${x.id}`, 'data-audit': x.id },
      h('h2', { id: `w-${x.id}` }, `${x.organisation} — audit n° ${x.id}`),
      h('p', outcomeBadge(ev.outcome), typeof ev.score === 'number' ? ` Score global : ${frNumber(ev.score)} / 100` : '', ` · soumis le ${frDate(x.submitted_at)}`),
      h('ul', { class: 'reasons' }, (ev.reasons || []).map((r) => h('li', r))),
      ctx.user.role === 'committee' ? h('p', h('a', { class: 'button', href: `#/comite/audits/${x.id}` }, `Décider pour ${x.organisation}`)) : null));
  });
  const decided = list.filter((x) => x.status === 'decided');
  if (decided.length) {
    add(view, h('h2', 'Audits décidés'), table('Audits décidés', ['CAE', 'N°', 'Soumis le', 'Résultats'], decided.map((x) => [
      x.organisation, String(x.id), frDate(x.submitted_at), h('a', { href: `#/evaluations/${x.id}/resultats` }, 'Résultats et décision')])));
  }
  add(view, h('p', h('a', { href: '#/audits' }, 'Tous les audits et l’ouverture d’un audit')));
  if (roles) add(view, roles);
}

export async function decision(view, ctx) {
  const [a, ref] = await Promise.all([api('GET', `assessments/${ctx.params.id}`), getReferential()]);
  if (!ctx.isCurrent()) return;
  pageTitle(view, `Décision — ${a.organisation}`, `Audit n° ${a.id}, soumis le ${frDate(a.submitted_at)}.`);
  if (a.kind !== 'audit') {
    add(view, message('error', 'Seul un audit fait l’objet d’une décision du Comité.'));
    return;
  }
  const ev = a.evaluation;
  if (ev) {
    add(view, h('section', { class: 'card', 'aria-labelledby': 'ev-title', 'data-testid': 'outcome' }, h('h2', { id: 'ev-title' }, 'Résultat calculé par les règles'),
      h('p', outcomeBadge(ev.outcome), typeof ev.score === 'number' ? ` Score global : ${frNumber(ev.score)} / 100` : ''),
      h('ul', { class: 'reasons' }, (ev.reasons || []).map((r) => h('li', r))),
      h('p', { class: 'hint' }, 'Règles : ', h('code', { class: 'hash' }, ev.ruleset), '. ', h('a', { href: `#/evaluations/${a.id}/resultats` }, 'Détail des résultats'), ' · ',
        h('a', { href: `#/evaluations/${a.id}` }, 'Constats de l’auditeur')),
      h('p', `Parties prenantes internes rencontrées : ${a.stakeholders.length ? a.stakeholders.map((p) => `${p.name} (${p.role})`).join(', ') : 'aucune'}.`)));
  }
  add(view, documentsSeen(a, ref, { title: 'Documents joints aux constats', none: 'Aucun document n’est joint aux constats de cet audit.' }));
  if (a.decisions.length) {
    add(view, h('section', { class: 'card', 'aria-labelledby': 'prev' }, h('h2', { id: 'prev' }, 'Décisions déjà prises'), a.decisions.map(decisionBlock)));
  }
  if (a.status !== 'submitted') {
    add(view, message('info', a.status === 'draft' ? 'Cet audit n’est pas encore soumis par l’auditeur.' : 'Cet audit est décidé.'));
    return;
  }
  if (ctx.user.role !== 'committee') {
    add(view, message('info', 'Seul le Comité de labellisation décide.'));
    return;
  }
  const eligible = ev && ev.eligible;
  const name = newId('outcome');
  const radios = Object.entries(DECISIONS).map(([k, v]) => {
    const disabled = k === 'awarded' && !eligible;
    const input = h('input', { type: 'radio', name, value: k, id: `outcome-${k}`, disabled, checked: k === (eligible ? 'awarded' : 'deferred') });
    return h('div', { class: 'radio' }, input, h('label', { for: input.id }, v,
      disabled ? h('span', { class: 'hint' }, ' — impossible : le résultat calculé n’est pas éligible, le label suit les règles.') : null));
  });
  const date = h('input', { type: 'date', id: 'decision-date', value: today(), required: true });
  const recs = h('textarea', { id: 'decision-recommendations', rows: 4 });
  const points = h('textarea', { id: 'decision-points', rows: 3 });
  const practiceRows = h('ol', { class: 'practice-rows' });
  const addPractice = () => {
    const n = practiceRows.children.length + 1;
    const crit = h('select', { id: newId('gp-crit') }, h('option', { value: '' }, 'Aucun critère en particulier'),
      ref.fields.map((f) => h('optgroup', { label: f.name }, ref.criteria.filter((c) => c.field === f.id).map((c) => h('option', { value: c.id }, `${c.id} — ${shorten(c.statement, 60)}`)))));
    const text = h('textarea', { id: newId('gp-text'), rows: 2 });
    const li = h('li', { class: 'practice-row' }, field(`Critère (bonne pratique ${n})`, crit).wrap, field(`Bonne pratique ${n}`, text).wrap,
      h('button', { type: 'button', class: 'button-secondary small', onclick: () => li.remove() }, `Retirer la bonne pratique ${n}`));
    add(practiceRows, li);
    return crit;
  };
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button', id: 'decide' }, 'Enregistrer la décision');
  const form = h('form', { class: 'form', novalidate: true },
    h('fieldset', h('legend', 'Décision'), radios),
    field('Date de la décision', date).wrap,
    field('Recommandations (une par ligne)', recs).wrap,
    field('En cas d’ajournement : points que l’auditeur doit reprendre (un par ligne)', points).wrap,
    h('fieldset', h('legend', 'Bonnes pratiques relevées'), practiceRows,
      h('button', { type: 'button', class: 'button-secondary', onclick: () => addPractice().focus() }, 'Ajouter une bonne pratique')),
    out, h('p', submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    out.replaceChildren();
    const outcome = form.querySelector(`input[name="${name}"]:checked`);
    if (!outcome || !date.value) {
      add(out, message('error', 'Choisissez la décision et sa date.'));
      return;
    }
    const lines = (t) => t.value.split('\n').map((x) => x.trim()).filter(Boolean);
    const deferred = outcome.value === 'deferred';
    if (deferred && !lines(points).length) {
      add(out, message('error', 'Un ajournement renvoie l’audit à l’auditeur : nommez au moins un point à reprendre.'));
      points.focus();
      return;
    }
    const body = {
      outcome: outcome.value,
      date: date.value,
      recommendations: lines(recs),
      points: deferred ? lines(points) : undefined,
      good_practices: [...practiceRows.querySelectorAll('.practice-row')].map((li) => {
        const crit = li.querySelector('select').value;
        const text = li.querySelector('textarea').value.trim();
        return text ? (crit ? { criterion: crit, text } : text) : null;
      }).filter(Boolean),
    };
    busy(submit, async () => {
      try {
        const d = await api('POST', `assessments/${a.id}/decision`, body);
        form.replaceWith(h('div', { 'data-testid': 'decision-done' }, message('success', d.outcome === 'awarded'
          ? `Label attribué à ${a.organisation}, valable jusqu’au ${frDate(d.valid_until)}.` : `Décision enregistrée : ${DECISIONS[d.outcome].toLowerCase()}.${d.outcome === 'deferred' ? ' L’audit revient à l’auditeur, qui le soumettra de nouveau.' : ''}`),
        h('p', h('a', { href: '#/registre' }, 'Voir le registre des labels'), ' · ', h('a', { href: '#/comite' }, 'Autres audits en attente'))));
      } catch (err) {
        if (err.status === 409) add(out, message('error', frenchReason(err) || 'Décision refusée par les règles.', err.apiMessage));
        else if (err.status !== 401) add(out, errorBox(err));
      }
    });
  });
  add(view, h('section', { class: 'card', 'aria-labelledby': 'form-title' }, h('h2', { id: 'form-title' }, 'La décision du Comité'), form));
}
