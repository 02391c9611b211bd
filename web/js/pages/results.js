// results: the evaluation of an assessment: outcome, reasons, scores per
// field (radar and table), strengths and weaknesses, failed mandatory criteria
// (one click to the action plan), unanswered criteria, decisions.
import { api, getReferentialOf } from '../api.js';
import { h, add } from '../dom.js';
import { ANSWERS, KINDS, frDate, frNumber, frPercent, plural } from '../i18n.js';
import { pageTitle, message, errorBox, levelBadge, outcomeBadge, statusBadge, table, busy, announce } from '../ui.js';
import { radarChart } from '../radar.js';
import { documentsSeen } from './documents.js';

/** Adds an action plan item for a failed criterion. */
export function actionFor(c) {
  return { criterion: c.id, action: `Satisfaire totalement le critère ${c.id} : ${c.statement}`, status: 'todo' };
}

export function canEditPlan(user, orgId) {
  return user && ((user.role === 'cae' && user.organisation_id === orgId) || user.role === 'admin');
}

/** Per field: counts of answers and the failed mandatory criteria. */
export function fieldStats(ref, answers, ev) {
  const failed = new Set(ev.mandatory ? ev.mandatory.failed : []);
  return ref.fields.map((f) => {
    const crits = ref.criteria.filter((c) => c.field === f.id);
    const n = { met: 0, partial: 0, not_met: 0, not_applicable: 0, none: 0 };
    crits.forEach((c) => {
      const a = answers.get(c.id);
      n[a ? a.status : 'none'] += 1;
    });
    const evf = (ev.fields || []).find((x) => x.id === f.id);
    return { id: f.id, name: f.name, score: evf ? evf.score : null, n, failed: crits.filter((c) => failed.has(c.id)) };
  });
}

export async function resultsPage(view, ctx) {
  const id = ctx.params.id;
  const a = await api('GET', `assessments/${id}`);
  const ref = await getReferentialOf(a.ruleset); /* the criteria it was evaluated under */
  const ev = a.evaluation || await api('GET', `assessments/${id}/evaluation`);
  const planEditable = canEditPlan(ctx.user, a.organisation_id);
  const items = planEditable ? await api('GET', `organisations/${a.organisation_id}/action-items`) : [];
  if (!ctx.isCurrent()) return;
  const answers = new Map(a.answers.map((x) => [x.criterion, x]));

  pageTitle(view, `Résultats — ${KINDS[a.kind]} — ${a.organisation}`);
  add(view, h('p', { class: 'meta' }, statusBadge(a.status, a.kind), ` N° ${a.id}. Évaluation du ${frDate(ev.date)}, règles `,
    h('code', { class: 'hash', title: ev.ruleset }, ev.ruleset.slice(0, 12)), '. ',
    h('a', { href: `#/evaluations/${a.id}` }, a.status === 'draft' && ctx.user.role !== 'committee' ? 'Revenir aux réponses' : 'Voir les réponses')));
  if (a.status === 'draft') add(view, message('info', 'Résultats provisoires : l’évaluation n’est pas encore soumise, ils changent avec chaque réponse.'));

  add(view, h('section', { class: 'card outcome', 'aria-labelledby': 'outcome-title', 'data-testid': 'outcome' },
    h('h2', { id: 'outcome-title' }, 'Résultat'),
    h('p', { class: 'outcome-line' }, outcomeBadge(ev.outcome),
      typeof ev.score === 'number' ? h('span', { class: 'score' }, `Score global : ${frNumber(ev.score)} / 100`) : null),
    h('ul', { class: 'reasons' }, (ev.reasons || []).map((r) => h('li', r))),
    a.kind === 'audit' && ev.valid_until && a.status !== 'decided'
      ? h('p', `Si le Comité attribue le label à cette date, il serait valable jusqu’au ${frDate(ev.valid_until)}.`) : null));

  const stats = fieldStats(ref, answers, ev);
  const radarBox = h('div', { class: 'radar-box' }, radarChart(stats, { title: `Scores par champ — ${a.organisation}` }));
  add(view, h('section', { class: 'card', 'aria-labelledby': 'fields-title' }, h('h2', { id: 'fields-title' }, 'Scores par champ'),
    radarBox,
    h('div', table('Scores et réponses par champ', ['Champ', 'Score', 'Satisfaits', 'Partiels', 'Non satisfaits', 'Obligatoires non satisfaits'],
        stats.map((s) => [s.name, s.score === null ? '—' : frNumber(s.score), s.n.met, s.n.partial, s.n.not_met, s.failed.length])))));

  const strong = stats.filter((s) => s.score !== null && s.score >= 80 && !s.failed.length).sort((x, y) => y.score - x.score);
  const weak = stats.filter((s) => s.failed.length || (s.score !== null && s.score < 80)).sort((x, y) => x.score - y.score);
  add(view, h('section', { class: 'card', 'aria-labelledby': 'sw-title' }, h('h2', { id: 'sw-title' }, 'Points forts et points faibles'),
    h('div', { class: 'split' },
      h('div', h('h3', 'Points forts'), strong.length ? h('ul', strong.map((s) => h('li', `${s.name} : ${frNumber(s.score)} / 100, ${plural(s.n.met, 'critère satisfait', 'critères satisfaits')}.`)))
        : h('p', { class: 'muted' }, 'Aucun champ ne dépasse encore 80 / 100 sans critère obligatoire manquant.')),
      h('div', h('h3', 'Points à améliorer'), weak.length ? h('ul', weak.map((s) => h('li', `${s.name} : ${s.score === null ? 'sans réponse' : `${frNumber(s.score)} / 100`}`,
        s.failed.length ? `, ${plural(s.failed.length, 'critère obligatoire non satisfait', 'critères obligatoires non satisfaits')} (${s.failed.map((c) => c.id).join(', ')})` : '',
        s.n.not_met ? `, ${plural(s.n.not_met, 'critère non satisfait', 'critères non satisfaits')}` : '', '.')))
        : h('p', { class: 'muted' }, 'Aucun point faible relevé.')))));
  add(view, a.kind === 'audit'
    ? documentsSeen(a, ref, { title: 'Documents joints aux constats', none: 'Aucun document n’est joint aux constats de cet audit.' })
    : documentsSeen(a, ref, { title: 'Documents joints aux réponses', none: 'Aucun document n’est joint aux réponses de cette autoévaluation.' }));

  // the failed mandatory criteria: the path to the label
  const failed = (ev.mandatory ? ev.mandatory.failed : []).map((cid) => ref.byId.get(cid)).filter(Boolean);
  const inPlan = new Set(items.map((x) => x.criterion).filter(Boolean));
  const failedSec = h('section', { class: 'card', 'aria-labelledby': 'failed-title', id: 'failed' },
    h('h2', { id: 'failed-title' }, 'Critères obligatoires à satisfaire'),
    ev.mandatory ? h('p', `${ev.mandatory.met} critères obligatoires totalement satisfaits sur ${ev.mandatory.total} applicables.`) : null);
  if (!failed.length) {
    add(failedSec, message('success', 'Tous les critères obligatoires renseignés sont totalement satisfaits.'));
  } else {
    const out = h('div', { 'aria-live': 'polite' });
    const list = h('ul', { class: 'failed-list' });
    const addButtons = [];
    for (const c of failed) {
      const ans = answers.get(c.id);
      const li = h('li', { 'data-criterion': c.id }, h('p', h('strong', c.id), ' ', levelBadge(c.level), ' ',
        ans ? h('span', { class: ['badge', `answer-badge-${ans.status}`] }, ANSWERS[ans.status]) : null), h('p', c.statement));
      if (planEditable) {
        const b = h('button', { type: 'button', class: 'button-secondary small', 'data-add-action': c.id }, inPlan.has(c.id) ? 'Déjà dans le plan d’action' : 'Ajouter au plan d’action');
        b.disabled = inPlan.has(c.id);
        b.addEventListener('click', () => busy(b, async () => {
          try {
            await api('POST', `organisations/${a.organisation_id}/action-items`, actionFor(c));
            inPlan.add(c.id);
            b.textContent = 'Ajouté au plan d’action';
            announce(`Critère ${c.id} ajouté au plan d’action.`);
          } catch (err) {
            if (err.status !== 401) out.replaceChildren(errorBox(err));
          }
        }).then(() => { b.disabled = inPlan.has(c.id); }));
        addButtons.push(b);
        add(li, b);
      }
      add(list, li);
    }
    add(failedSec, list, out);
    if (planEditable) add(failedSec, h('p', h('a', { href: `#/cae/${a.organisation_id}/plan-action` }, 'Ouvrir le plan d’action')));
  }
  add(view, failedSec);

  if (ev.recommended) {
    add(view, h('section', { class: 'card', 'aria-labelledby': 'rec-title' }, h('h2', { id: 'rec-title' }, 'Critères recommandés et conseillés'),
      h('p', `Critères recommandés satisfaits totalement ou partiellement : ${ev.recommended.met + ev.recommended.partial} sur ${ev.recommended.total} (${frPercent(ev.recommended.ratio || 0)}), pour un seuil de ${frPercent(ev.recommended.threshold)}.`),
      ev.advised ? h('p', `Critères conseillés totalement satisfaits : ${ev.advised.met} sur ${ev.advised.total} (ils ne comptent pas pour le label).`) : null));
  }
  if (ev.missing && ev.missing.length) {
    add(view, h('section', { class: 'card', 'aria-labelledby': 'missing-title' }, h('h2', { id: 'missing-title' }, `${plural(ev.missing.length, 'critère sans réponse', 'critères sans réponse')}`),
      h('p', 'Tant qu’un critère est sans réponse, le résultat est « incomplet ».'),
      h('ul', { class: 'inline-list' }, ev.missing.map((cid) => h('li', cid)))));
  }
  if (a.kind === 'audit') {
    add(view, h('section', { class: 'card', 'aria-labelledby': 'sh-title' }, h('h2', { id: 'sh-title' }, 'Parties prenantes internes'),
      a.stakeholders.length ? h('ul', a.stakeholders.map((p) => h('li', `${p.name} — ${p.role}`))) : h('p', { class: 'muted' }, 'Aucune partie prenante enregistrée.')));
  }
  if (a.decisions && a.decisions.length) {
    add(view, h('section', { class: 'card', 'aria-labelledby': 'dec-title' }, h('h2', { id: 'dec-title' }, 'Décisions du Comité de labellisation'),
      a.decisions.map((d) => decisionBlock(d))));
  }
}

// A good practice or a deferral's point: a text, or {criterion, text}.
export function noteText(p) {
  if (typeof p === 'string') return p;
  return p.criterion ? `${p.criterion} : ${p.text}` : p.text;
}

export function decisionBlock(d) {
  return h('div', { class: 'decision', 'data-testid': 'decision' },
    h('p', outcomeBadge(d.outcome), ` le ${frDate(d.date)}`, d.valid_until ? `, valable jusqu’au ${frDate(d.valid_until)}` : ''),
    d.recommendations && d.recommendations.length ? [h('h3', 'Recommandations'), h('ul', d.recommendations.map((r) => h('li', r)))] : null,
    d.points && d.points.length ? [h('h3', 'Points renvoyés à l’auditeur'), h('ul', d.points.map((p) => h('li', noteText(p))))] : null,
    d.good_practices && d.good_practices.length ? [h('h3', 'Bonnes pratiques relevées'), h('ul', d.good_practices.map((g) => h('li', noteText(g))))] : null);
}


