// committee: audits (assigned ones for an auditor), audits awaiting decision
// with their computed outcome and reasons, the decision form, opening an audit.
import { api, getReferential } from '../api.js';
import { h, field, newId, add } from '../dom.js';
import { DECISIONS, frDate, frNumber } from '../i18n.js';
import { pageTitle, message, errorBox, outcomeBadge, statusBadge, table, busy, today, shorten } from '../ui.js';
import { decisionBlock } from './results.js';

export async function audits(view, ctx) {
  const auditor = ctx.user.role === 'auditor';
  const list = (await api('GET', 'assessments')).filter((x) => x.kind === 'audit').sort((x, y) => y.id - x.id);
  if (!ctx.isCurrent()) return;
  pageTitle(view, auditor ? 'Mes audits' : 'Audits',
    auditor ? 'Les audits qui vous sont confiés : renseignez un constat par critère, les parties prenantes internes rencontrées, puis soumettez l’audit au Comité.'
      : 'Tous les audits du réseau.');
  if (!list.length) add(view, message('info', auditor ? 'Aucun audit ne vous est confié pour l’instant.' : 'Aucun audit pour l’instant.'));
  else {
    add(view, h('div', { 'data-testid': 'audits' }, table('Audits', ['CAE', 'N°', 'Statut', 'Ouvert le', 'Soumis le', 'Liens'], list.map((x) => [
      x.organisation, String(x.id), statusBadge(x.status, x.kind), frDate(x.created_at), x.submitted_at ? frDate(x.submitted_at) : '—',
      h('span', { class: 'links' }, h('a', { href: `#/evaluations/${x.id}`, 'data-audit': x.id }, auditor && x.status === 'draft' ? 'Auditer' : 'Constats'), ' · ',
        h('a', { href: `#/evaluations/${x.id}/resultats` }, 'Résultats'),
        !auditor && x.status === 'submitted' && ctx.user.role === 'committee' ? [' · ', h('a', { href: `#/comite/audits/${x.id}` }, 'Décider')] : null)]))));
  }
  if (!auditor) add(view, await openAuditForm(ctx));
}

/** Opening an audit (committee, admin): the CAE and a certified auditor. */
async function openAuditForm(ctx) {
  const orgs = await api('GET', 'organisations');
  // The committee and the administration list the users to pick a certified auditor.
  const users = await api('GET', 'users').catch((err) => {
    if (err.status === 401) throw err;
    return null;
  });
  const org = h('select', { id: 'audit-org', required: true }, h('option', { value: '' }, 'Choisir une CAE'), orgs.map((o) => h('option', { value: o.id }, o.name)));
  let auditorControl;
  let auditorField;
  if (users) {
    const now = today();
    const auditors = users.filter((u) => u.role === 'auditor' && u.certified_until && u.certified_until >= now)
      .sort((x, y) => x.name.localeCompare(y.name, 'fr'));
    const orgName = new Map(orgs.map((o) => [o.id, o.name]));
    const options = auditors.map((u) => h('option', { value: u.id, 'data-org': u.organisation_id || '' },
      `${u.name}${u.organisation_id ? ` (${orgName.get(u.organisation_id) || `CAE n° ${u.organisation_id}`})` : ''} — certifié jusqu’au ${frDate(u.certified_until)}`));
    auditorControl = h('select', { id: 'audit-auditor', required: true }, h('option', { value: '' }, auditors.length ? 'Choisir un auditeur ou une auditrice' : 'Aucun auditeur certifié à ce jour'), options);
    auditorField = field('Auditeur ou auditrice', auditorControl,
      'Seuls les auditeurs certifiés à ce jour sont proposés ; un auditeur n’audite jamais sa propre CAE.').wrap;
    // an auditor of the chosen CAE cannot audit it
    org.addEventListener('change', () => {
      for (const o of options) {
        o.disabled = !!org.value && o.dataset.org === org.value;
        if (o.disabled && o.selected) auditorControl.value = '';
      }
    });
  } else {
    auditorControl = h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric', id: 'audit-auditor', required: true });
    auditorField = field('Numéro de l’auditeur ou de l’auditrice', auditorControl,
      'Le numéro d’utilisateur communiqué par l’administration du réseau. Un auditeur doit être certifié et n’audite jamais sa propre CAE.').wrap;
  }
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Ouvrir l’audit');
  const form = h('form', { class: 'form grid-form', novalidate: true }, field('CAE auditée', org).wrap, auditorField, out, h('p', submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    if (!org.value || !Number(auditorControl.value)) {
      add(out, message('error', 'Choisissez la CAE et l’auditeur.'));
      return;
    }
    busy(submit, async () => {
      try {
        const a = await api('POST', `organisations/${org.value}/assessments`, { kind: 'audit', auditor_id: Number(auditorControl.value) });
        add(out, message('success', `Audit n° ${a.id} ouvert pour ${a.organisation}.`));
        setTimeout(() => ctx.rerender(), 600);
      } catch (err) {
        if (err.status === 409) add(out, message('error', 'Cet auditeur ne peut pas être désigné : il doit être certifié à ce jour et ne jamais auditer sa propre CAE.', err.apiMessage));
        else if (err.status === 400 && err.path === '$.auditor_id') add(out, message('error', 'Ce numéro ne correspond à aucun auditeur.', err.apiMessage));
        else if (err.status !== 401) add(out, errorBox(err));
      }
    });
  });
  return h('section', { class: 'card', 'aria-labelledby': 'open-audit' }, h('h2', { id: 'open-audit' }, 'Ouvrir un audit'), form);
}

export async function pending(view, ctx) {
  const list = (await api('GET', 'assessments')).filter((x) => x.kind === 'audit');
  const waiting = list.filter((x) => x.status === 'submitted');
  const evs = await Promise.all(waiting.map((x) => api('GET', `assessments/${x.id}/evaluation`)));
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
    const body = {
      outcome: outcome.value,
      date: date.value,
      recommendations: recs.value.split('\n').map((x) => x.trim()).filter(Boolean),
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
          ? `Label attribué à ${a.organisation}, valable jusqu’au ${frDate(d.valid_until)}.` : `Décision enregistrée : ${DECISIONS[d.outcome].toLowerCase()}.`),
        h('p', h('a', { href: '#/registre' }, 'Voir le registre des labels'), ' · ', h('a', { href: '#/comite' }, 'Autres audits en attente'))));
      } catch (err) {
        if (err.status === 409) add(out, message('error', 'Décision refusée par les règles.', err.apiMessage));
        else if (err.status !== 401) add(out, errorBox(err));
      }
    });
  });
  add(view, h('section', { class: 'card', 'aria-labelledby': 'form-title' }, h('h2', { id: 'form-title' }, 'La décision du Comité'), form));
}
