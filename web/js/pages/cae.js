// cae: a CAE's dashboard, its self-assessments, its action plan.
import { api, getReferential } from '../api.js';
import { h, field, add } from '../dom.js';
import { ACTION_STATUS, KINDS, frDate, frNumber, frPercent } from '../i18n.js';
import { pageTitle, message, errorBox, levelBadge, labelBadge, outcomeBadge, statusBadge, table, busy, announce, shorten } from '../ui.js';
import { radarChart } from '../radar.js';
import { actionFor, canEditPlan } from './results.js';

/** Reads what may be read: a 403 gives null instead of failing the page. */
async function optional(p) {
  try {
    return await p;
  } catch (err) {
    if (err.status === 403) return null;
    throw err;
  }
}

/** The organisation's assessments (the API filters by role), newest first. */
async function assessmentsOf(orgId) {
  const list = await api('GET', 'assessments');
  return list.filter((x) => x.organisation_id === orgId).sort((x, y) => y.id - x.id);
}

/** The latest evaluation: the newest submitted assessment, else the live one of a draft. */
async function latestEvaluation(list) {
  const done = list.filter((x) => x.status !== 'draft')
    .sort((x, y) => (y.submitted_at || '').localeCompare(x.submitted_at || '') || y.id - x.id);
  const pick = done[0] || list.find((x) => x.status === 'draft');
  if (!pick) return null;
  const ev = await optional(api('GET', `assessments/${pick.id}/evaluation`));
  return ev ? { assessment: pick, evaluation: ev } : null;
}

export async function dashboard(view, ctx) {
  const orgId = ctx.params.id;
  const org = await api('GET', `organisations/${orgId}`);
  const [labels, list, items, ref] = await Promise.all([
    api('GET', 'labels'), assessmentsOf(orgId),
    optional(api('GET', `organisations/${orgId}/action-items`)), getReferential()]);
  const latest = await latestEvaluation(list);
  if (!ctx.isCurrent()) return;
  const label = labels.find((l) => l.organisation_id === orgId) || { status: 'none', valid_until: null };
  const mine = ctx.user.role === 'cae';
  pageTitle(view, mine ? `Tableau de bord — ${org.name}` : org.name,
    [org.legal_form, org.city, org.region].filter(Boolean).join(' · ') + (org.member_since ? ` · membre du réseau depuis ${frDate(org.member_since)}` : ''));

  const draft = list.find((x) => x.kind === 'self_assessment' && x.status === 'draft');
  if (mine) {
    add(view, h('p', { class: 'actions' }, draft
      ? h('a', { class: 'button', href: `#/evaluations/${draft.id}` }, 'Continuer l’auto-évaluation en cours')
      : h('a', { class: 'button', href: `#/cae/${orgId}/auto-evaluation` }, 'Commencer une auto-évaluation'),
    h('a', { class: 'button-secondary', href: `#/cae/${orgId}/plan-action` }, 'Plan d’action'),
    h('a', { class: 'button-secondary', href: `#/cae/${orgId}/documents` }, 'Documents')));
  } else if (ctx.user.role === 'committee' || ctx.user.role === 'admin') {
    // the CAE's evidence documents: the committee and the administration read them
    add(view, h('p', { class: 'actions' }, h('a', { class: 'button-secondary', href: `#/cae/${orgId}/documents` }, 'Documents de la CAE')));
  }

  const grid = h('div', { class: 'dashboard' });
  add(grid, h('section', { class: 'card label-card', 'aria-labelledby': 'label-title', 'data-testid': 'label-status' },
    h('h2', { id: 'label-title' }, 'Le label'),
    h('p', { class: 'big' }, labelBadge(label.status)),
    label.status === 'labelled' ? h('p', `Label valable jusqu’au ${frDate(label.valid_until)}. La CAE peut utiliser la marque « LABEL CPE » jusqu’à cette date.`)
      : label.status === 'expired' ? h('p', `Le label a expiré le ${frDate(label.valid_until)} : un nouvel audit permet de le renouveler.`)
        : label.status === 'engaged' ? h('p', 'La CAE est engagée dans la démarche de labellisation.')
          : h('p', 'La CAE n’a pas encore commencé la démarche : une première auto-évaluation permet de s’y engager à son rythme.')));

  const evCard = h('section', { class: 'card', 'aria-labelledby': 'ev-title' }, h('h2', { id: 'ev-title' }, 'Dernière évaluation'));
  if (latest) {
    const { assessment: la, evaluation: ev } = latest;
    add(evCard, h('p', `${KINDS[la.kind]} n° ${la.id} `, statusBadge(la.status, la.kind), ` — ${la.status === 'draft' ? 'résultats provisoires au' : 'évaluée le'} ${frDate(ev.date)}`),
      h('p', outcomeBadge(ev.outcome), typeof ev.score === 'number' ? h('span', { class: 'score' }, ` Score global : ${frNumber(ev.score)} / 100`) : null),
      h('div', { class: 'radar-box' }, radarChart(ev.fields || [], { title: 'Scores par champ de la dernière évaluation' })),
      h('p', h('a', { href: `#/evaluations/${la.id}/resultats` }, 'Voir le détail des résultats')));
  } else {
    add(evCard, h('p', { class: 'muted' }, 'Aucune évaluation pour l’instant.'));
  }
  add(grid, evCard);

  // the path to the label
  const ev = latest ? latest.evaluation : null;
  const failed = ev && ev.mandatory ? ev.mandatory.failed : null;
  const audits = list.filter((x) => x.kind === 'audit');
  const steps = [
    { done: list.some((x) => x.kind === 'self_assessment' && x.status !== 'draft'), text: 'Réaliser et soumettre une auto-évaluation.' },
    { done: !!(failed && !failed.length && ev.outcome !== 'incomplete'), text: failed
      ? (failed.length ? `Satisfaire totalement les ${failed.length} critères obligatoires qui ne le sont pas encore.` : 'Tous les critères obligatoires sont totalement satisfaits.')
      : 'Satisfaire totalement tous les critères obligatoires.' },
    { done: !!(ev && ev.recommended && ev.recommended.ratio >= ev.recommended.threshold), text: ev && ev.recommended
      ? `Satisfaire au moins ${frPercent(ev.recommended.threshold)} des critères recommandés (actuellement ${frPercent(ev.recommended.ratio || 0)}).`
      : 'Satisfaire au moins la moitié des critères recommandés.' },
    { done: audits.some((x) => x.status !== 'draft'), text: 'Être audité par un auditeur du réseau, avec la participation des parties prenantes internes.' },
    { done: label.status === 'labelled', text: 'Obtenir la décision du Comité de labellisation.' },
  ];
  const pathCard = h('section', { class: 'card path', 'aria-labelledby': 'path-title' }, h('h2', { id: 'path-title' }, 'Le chemin vers le label'),
    h('ol', { class: 'steps' }, steps.map((s) => h('li', { class: s.done ? 'done' : 'todo' },
      h('span', { class: 'visually-hidden' }, s.done ? 'Étape franchie : ' : 'Étape à venir : '), s.text))));
  if (failed && failed.length) {
    add(pathCard, h('h3', 'Critères obligatoires à satisfaire'), h('ul', { class: 'failed-list compact', 'data-testid': 'path-failed' },
      failed.slice(0, 8).map((cid) => {
        const c = ref.byId.get(cid);
        return h('li', h('strong', cid), ' ', c ? shorten(c.statement, 110) : '');
      })),
    failed.length > 8 ? h('p', `… et ${failed.length - 8} autres.`) : null,
    h('p', h('a', { href: `#/evaluations/${latest.assessment.id}/resultats` }, 'Tous les critères à satisfaire')));
  }
  add(grid, pathCard);

  const planCard = h('section', { class: 'card', 'aria-labelledby': 'plan-title' }, h('h2', { id: 'plan-title' }, 'Actions en cours'));
  if (items === null) {
    add(planCard, h('p', { class: 'muted' }, 'Le plan d’action de cette CAE n’est pas accessible avec votre rôle.'));
  } else {
    const open = items.filter((x) => x.status !== 'done');
    add(planCard, open.length ? h('ul', { class: 'plan-list' }, open.map((x) => h('li', h('span', { class: ['badge', `action-${x.status}`] }, ACTION_STATUS[x.status]), ' ',
      x.criterion ? h('strong', `${x.criterion} `) : null, shorten(x.action, 120),
      x.owner || x.due ? h('span', { class: 'muted' }, ` (${[x.owner, x.due ? `échéance ${frDate(x.due)}` : null].filter(Boolean).join(', ')})`) : null)))
      : h('p', { class: 'muted' }, 'Aucune action ouverte.'),
    h('p', h('a', { href: `#/cae/${orgId}/plan-action` }, 'Ouvrir le plan d’action')));
  }
  add(grid, planCard);
  add(view, grid);

  if (list.length) {
    add(view, h('section', { class: 'card', 'aria-labelledby': 'hist-title' }, h('h2', { id: 'hist-title' }, 'Évaluations'),
      historyTable(list)));
  }
}

function historyTable(list) {
  return table('Évaluations de la CAE', ['N°', 'Type', 'Statut', 'Ouverte le', 'Soumise le', 'Liens'], list.map((x) => [
    String(x.id), KINDS[x.kind], statusBadge(x.status, x.kind), frDate(x.created_at), x.submitted_at ? frDate(x.submitted_at) : '—',
    h('span', { class: 'links' }, h('a', { href: `#/evaluations/${x.id}` }, x.status === 'draft' ? 'Répondre' : 'Réponses'), ' · ',
      h('a', { href: `#/evaluations/${x.id}/resultats` }, 'Résultats'))]));
}

export async function selfAssessments(view, ctx) {
  const orgId = ctx.params.id;
  const org = await api('GET', `organisations/${orgId}`);
  const list = (await assessmentsOf(orgId)).filter((x) => x.kind === 'self_assessment');
  if (!ctx.isCurrent()) return;
  pageTitle(view, `Auto-évaluation — ${org.name}`,
    'L’auto-évaluation parcourt les critères du référentiel avec les mêmes règles que l’audit : elle montre vos points forts et vos points faibles, et alimente votre plan d’action.');
  const draft = list.find((x) => x.status === 'draft');
  const mayStart = ctx.user.role === 'cae' && ctx.user.organisation_id === orgId;
  if (draft) {
    add(view, h('p', h('a', { class: 'button', href: `#/evaluations/${draft.id}`, id: 'continue' }, `Continuer l’auto-évaluation n° ${draft.id}`)));
  } else if (mayStart) {
    const out = h('div', { 'aria-live': 'polite' });
    const start = h('button', { type: 'button', class: 'button', id: 'start' }, 'Commencer une nouvelle auto-évaluation');
    start.addEventListener('click', () => busy(start, async () => {
      try {
        const a = await api('POST', `organisations/${orgId}/assessments`, { kind: 'self_assessment' });
        ctx.navigate(`#/evaluations/${a.id}`);
      } catch (err) {
        if (err.status !== 401) out.replaceChildren(errorBox(err));
      }
    }));
    add(view, h('p', start), out);
  }
  if (list.length) add(view, h('h2', 'Historique'), historyTable(list));
  else add(view, message('info', 'Aucune auto-évaluation pour l’instant.'));
}

/* ---- the action plan ------------------------------------------------------------ */

export async function actionPlan(view, ctx) {
  const orgId = ctx.params.id;
  const org = await api('GET', `organisations/${orgId}`);
  const [items, list, ref] = await Promise.all([api('GET', `organisations/${orgId}/action-items`), assessmentsOf(orgId), getReferential()]);
  const latest = await latestEvaluation(list);
  if (!ctx.isCurrent()) return;
  const editable = canEditPlan(ctx.user, orgId);
  pageTitle(view, `Plan d’action — ${org.name}`, 'Les actions que la CAE se donne pour progresser vers le label : qui s’en charge, pour quand, où elles en sont.');
  if (!editable) add(view, message('info', 'Vous consultez ce plan d’action en lecture seule.'));

  const listEl = h('ul', { class: 'action-items', 'data-testid': 'action-items' });
  const renderItems = () => {
    listEl.replaceChildren();
    if (!items.length) add(listEl, h('li', { class: 'muted' }, 'Aucune action pour l’instant.'));
    items.forEach((x) => add(listEl, itemRow(x, orgId, editable, ref)));
  };
  renderItems();
  add(view, h('section', { class: 'card', 'aria-labelledby': 'items-title' }, h('h2', { id: 'items-title' }, 'Actions'), listEl));

  const ev = latest ? latest.evaluation : null;
  if (editable && ev && ev.mandatory && ev.mandatory.failed.length) {
    const out = h('div', { 'aria-live': 'polite' });
    const inPlan = () => new Set(items.map((x) => x.criterion).filter(Boolean));
    const todo = ev.mandatory.failed.filter((cid) => !inPlan().has(cid)).map((cid) => ref.byId.get(cid)).filter(Boolean);
    const sec = h('section', { class: 'card', 'aria-labelledby': 'from-failed' }, h('h2', { id: 'from-failed' }, 'Ajouter depuis les critères obligatoires non satisfaits'),
      h('p', { class: 'hint' }, `D’après la dernière évaluation (${KINDS[latest.assessment.kind].toLowerCase()} n° ${latest.assessment.id}).`));
    if (!todo.length) {
      add(sec, h('p', { class: 'muted' }, 'Tous les critères obligatoires non satisfaits sont déjà dans le plan.'));
    } else {
      const ul = h('ul', { class: 'failed-list' });
      for (const c of todo) {
        const b = h('button', { type: 'button', class: 'button-secondary small', 'data-add-action': c.id }, `Ajouter ${c.id} au plan`);
        b.addEventListener('click', () => busy(b, async () => {
          try {
            const item = await api('POST', `organisations/${orgId}/action-items`, actionFor(c));
            items.push(item);
            renderItems();
            b.closest('li').remove();
            announce(`Action ajoutée pour le critère ${c.id}.`);
          } catch (err) {
            if (err.status !== 401) out.replaceChildren(errorBox(err));
          }
        }));
        add(ul, h('li', h('p', h('strong', c.id), ' ', levelBadge(c.level), ' ', shorten(c.statement, 160)), b));
      }
      add(sec, ul, out);
    }
    add(view, sec);
  }

  if (editable) {
    const crit = h('select', { id: 'new-criterion' }, h('option', { value: '' }, 'Aucun critère en particulier'),
      ref.fields.map((f) => h('optgroup', { label: f.name }, ref.criteria.filter((c) => c.field === f.id).map((c) => h('option', { value: c.id }, `${c.id} — ${shorten(c.statement, 60)}`)))));
    const action = h('textarea', { id: 'new-action', rows: 3, required: true });
    const owner = h('input', { type: 'text', id: 'new-owner', autocomplete: 'off' });
    const due = h('input', { type: 'date', id: 'new-due' });
    const status = h('select', { id: 'new-status' }, Object.entries(ACTION_STATUS).map(([k, v]) => h('option', { value: k }, v)));
    const out = h('div', { 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', class: 'button' }, 'Ajouter l’action');
    const form = h('form', { class: 'form grid-form', novalidate: true },
      field('Action à mener', action).wrap, field('Critère concerné', crit).wrap, field('Responsable', owner).wrap,
      field('Échéance', due).wrap, field('État', status).wrap, out, h('p', submit));
    form.addEventListener('submit', (ev2) => {
      ev2.preventDefault();
      out.replaceChildren();
      if (!action.value.trim()) {
        add(out, message('error', 'Décrivez l’action à mener.'));
        action.focus();
        return;
      }
      busy(submit, async () => {
        const body = { action: action.value.trim(), status: status.value };
        if (crit.value) body.criterion = crit.value;
        if (owner.value.trim()) body.owner = owner.value.trim();
        if (due.value) body.due = due.value;
        try {
          items.push(await api('POST', `organisations/${orgId}/action-items`, body));
          renderItems();
          form.reset();
          add(out, message('success', 'Action ajoutée.'));
        } catch (err) {
          if (err.status !== 401) add(out, errorBox(err));
        }
      });
    });
    add(view, h('section', { class: 'card', 'aria-labelledby': 'new-title' }, h('h2', { id: 'new-title' }, 'Nouvelle action'), form));
  }
}

function itemRow(x, orgId, editable, ref) {
  const c = x.criterion ? ref.byId.get(x.criterion) : null;
  const head = h('p', { class: 'item-text' }, x.criterion ? [h('strong', x.criterion), ' ', c ? levelBadge(c.level) : null, ' '] : null, x.action);
  if (!editable) {
    return h('li', { class: 'action-item' }, head, h('p', { class: 'muted' },
      h('span', { class: ['badge', `action-${x.status}`] }, ACTION_STATUS[x.status]),
      ` Responsable : ${x.owner || 'non désigné'} · échéance : ${x.due ? frDate(x.due) : 'non fixée'}`));
  }
  const state = h('span', { class: 'save-state', 'data-state': 'saved', role: 'status' });
  const status = h('select', { id: `item-${x.id}-status` }, Object.entries(ACTION_STATUS).map(([k, v]) => h('option', { value: k, selected: x.status === k }, v)));
  const owner = h('input', { type: 'text', id: `item-${x.id}-owner`, value: x.owner || '', autocomplete: 'off' });
  const due = h('input', { type: 'date', id: `item-${x.id}-due`, value: x.due || '' });
  const save = async (patch) => {
    state.dataset.state = 'saving';
    state.textContent = 'Enregistrement…';
    try {
      Object.assign(x, await api('PATCH', `organisations/${orgId}/action-items/${x.id}`, patch));
      state.dataset.state = 'saved';
      state.textContent = 'Enregistré';
    } catch (err) {
      state.dataset.state = 'error';
      state.textContent = err.status === 0 ? 'Non enregistré : serveur injoignable, modifiez à nouveau pour réessayer.' : 'Non enregistré.';
    }
  };
  status.addEventListener('change', () => save({ status: status.value }));
  owner.addEventListener('change', () => save({ owner: owner.value.trim() || null }));
  due.addEventListener('change', () => save({ due: due.value || null }));
  return h('li', { class: 'action-item', 'data-item': x.id }, head,
    h('div', { class: 'item-controls' }, field('État', status).wrap, field('Responsable', owner).wrap, field('Échéance', due).wrap, state));
}


