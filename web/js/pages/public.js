// public pages: welcome, the référentiel with the award rule in words, the
// registry of labelled CAEs; and the good practices catalogue (logged in).
import { api, getReferential } from '../api.js';
import { h, field, add } from '../dom.js';
import { LEVELS_PLURAL, frDate, frPercent, plural } from '../i18n.js';
import { pageTitle, levelBadge, labelBadge, table, message, errorBox } from '../ui.js';

export async function welcome(view) {
  pageTitle(view, 'La plate-forme du LABEL CPE',
    'Le label qualité des Coopératives d’Activité et d’Emploi du réseau Coopérer pour Entreprendre : chaque CAE s’auto-évalue à son rythme, un auditeur du réseau l’audite, le Comité de labellisation décide.');
  add(view, h('div', { class: 'cards' },
    h('section', { class: 'card' }, h('h2', 'Le référentiel'),
      h('p', 'Les critères du label, regroupés en six champs, avec leur niveau et la règle d’attribution.'),
      h('a', { class: 'button', href: '#/referentiel' }, 'Consulter le référentiel')),
    h('section', { class: 'card' }, h('h2', 'Les CAE labellisées'),
      h('p', 'Le registre public des coopératives qui portent le LABEL CPE et la date de validité de leur label.'),
      h('a', { class: 'button', href: '#/registre' }, 'Voir le registre')),
    h('section', { class: 'card' }, h('h2', 'Espace des membres'),
      h('p', 'CAE, auditeurs, comité et administration du réseau : connectez-vous pour accéder à votre espace.'),
      h('a', { class: 'button', href: '#/connexion' }, 'Se connecter'))),
  h('p', 'Vous avez reçu un certificat du LABEL CPE ? ', h('a', { href: '#/certificat' }, 'Vérifiez son code de vérification'), '.'));
}

/** The award rule in words, from the rule set's parameters. */
export function awardRuleWords(ref) {
  const p = ref.parameters || {};
  const threshold = typeof p.recommended_threshold === 'number' ? p.recommended_threshold : 0.5;
  const years = p.validity_years || 3;
  const items = [
    'Tous les critères obligatoires applicables sont totalement satisfaits : « partiellement » ne suffit pas.',
    `Au moins ${frPercent(threshold)} des critères recommandés applicables sont satisfaits totalement ou partiellement.`,
    'Les critères conseillés ne comptent pas pour l’attribution : ils indiquent des pistes de progrès.',
    'Un critère jugé « non applicable » (lorsque le critère le permet) sort du calcul.',
  ];
  if (p.stakeholders_required !== false) {
    items.push('Les parties prenantes internes de la CAE (entrepreneurs-salariés, salariés permanents, associés) participent à l’audit : un audit sans elles ne peut pas conduire au label.');
  }
  items.push(`Le label est attribué par le Comité de labellisation sur la base d’un audit ; il est valable ${plural(years, 'an', 'ans')} à compter de la décision, puis doit être renouvelé par un nouvel audit.`);
  items.push('Une auto-évaluation est notée par les mêmes règles : elle prépare l’audit mais n’attribue jamais le label.');
  return items;
}

export async function referential(view) {
  pageTitle(view, 'Le référentiel du LABEL CPE');
  const ref = await getReferential();
  const counts = { mandatory: 0, recommended: 0, advised: 0 };
  ref.criteria.forEach((c) => { counts[c.level] = (counts[c.level] || 0) + 1; });
  add(view, 
    h('p', { class: 'lead' }, `${ref.criteria.length} critères répartis en ${ref.fields.length} champs : `,
      Object.entries(counts).map(([l, n], i) => [i ? ', ' : '', `${n} ${LEVELS_PLURAL[l]}`]), '.'),
    h('section', { class: 'card', 'aria-labelledby': 'rule-title' },
      h('h2', { id: 'rule-title' }, 'La règle d’attribution du label'),
      h('ul', awardRuleWords(ref).map((t) => h('li', t))),
      h('p', { class: 'hint' }, 'Version des règles (empreinte SHA-256) : ', h('code', { class: 'hash' }, ref.ruleset),
        '. Chaque résultat et chaque décision indique la version des règles qui l’a produit.')),
    h('section', { class: 'card' }, h('h2', 'Les niveaux de critères'),
      h('dl', { class: 'levels' },
        h('dt', levelBadge('mandatory')), h('dd', 'doit être totalement satisfait pour obtenir le label.'),
        h('dt', levelBadge('recommended')), h('dd', 'compte dans le seuil des critères recommandés.'),
        h('dt', levelBadge('advised')), h('dd', 'une bonne pratique conseillée, sans effet sur l’attribution.'))));
  const toc = h('nav', { class: 'toc', 'aria-label': 'Les six champs' }, h('ol', ref.fields.map((f) =>
    h('li', h('a', { href: `#/referentiel?champ=${f.id}`, 'data-target': `field-${f.id}`, onclick: jump }, `${f.name}`)))));
  add(view, toc);
  for (const f of ref.fields) {
    const crits = ref.criteria.filter((c) => c.field === f.id);
    const sec = h('section', { class: 'field-section', id: `field-${f.id}`, 'aria-labelledby': `h-${f.id}` },
      h('h2', { id: `h-${f.id}`, tabindex: '-1' }, `${f.name} `, h('span', { class: 'count' }, `(${crits.length} critères)`)));
    for (const theme of f.themes) {
      const list = crits.filter((c) => c.theme === theme);
      if (!list.length) continue;
      add(sec, h('h3', theme), h('ul', { class: 'criteria-list' }, list.map((c) => h('li', { class: 'criterion-ref' },
        h('p', { class: 'criterion-head' }, h('span', { class: 'criterion-id' }, c.id), ' ', levelBadge(c.level),
          c.na_allowed ? h('span', { class: 'badge badge-na' }, 'Peut être non applicable') : null),
        h('p', { class: 'statement' }, c.statement),
        c.guidance || (c.evidence && c.evidence.length) || (c.legal && c.legal.length)
          ? h('details', h('summary', 'Repères, preuves attendues et références'),
            c.guidance ? h('p', c.guidance) : null,
            c.evidence && c.evidence.length ? [h('p', h('strong', 'Preuves attendues :')), h('ul', c.evidence.map((x) => h('li', x)))] : null,
            c.legal && c.legal.length ? [h('p', h('strong', 'Références :')), h('ul', c.legal.map((x) => h('li', x)))] : null)
          : null))));
    }
    add(view, sec);
  }
}

function jump(ev) {
  const target = document.getElementById(ev.currentTarget.dataset.target);
  if (!target) return;
  ev.preventDefault();
  target.scrollIntoView({ block: 'start' });
  const heading = target.querySelector('h2');
  if (heading) heading.focus({ preventScroll: true });
}

export async function registry(view, ctx) {
  pageTitle(view, 'Le registre du LABEL CPE',
    ctx.user ? 'Toutes les CAE du réseau et l’état de leur démarche de labellisation.'
      : 'Les Coopératives d’Activité et d’Emploi qui portent le LABEL CPE, avec la date de fin de validité de leur label.');
  const list = await api('GET', ctx.user ? 'labels' : 'public/labels');
  if (!list.length) {
    add(view, message('info', ctx.user ? 'Aucune organisation n’est encore enregistrée.' : 'Aucune CAE ne porte le label pour l’instant.'));
    return;
  }
  const rows = list.map((l) => [l.organisation, l.city || '—', labelBadge(l.status),
    l.valid_until ? h('span', { 'data-testid': 'valid-until' }, `${l.status === 'expired' ? 'expiré le' : 'jusqu’au'} ${frDate(l.valid_until)}`) : '—']);
  add(view, h('div', { 'data-testid': 'registry' }, table('Registre des labels', ['CAE', 'Ville', 'Statut', 'Validité du label'], rows)));
}

export async function practices(view, ctx) {
  pageTitle(view, 'Les bonnes pratiques du réseau',
    'Les bonnes pratiques relevées lors des audits et que les CAE ont accepté de partager, critère par critère.');
  const ref = await getReferential();
  const select = h('select', { id: 'practice-criterion', 'data-no-draft': true },
    h('option', { value: '' }, 'Tous les critères'),
    ref.fields.map((f) => h('optgroup', { label: f.name }, ref.criteria.filter((c) => c.field === f.id)
      .map((c) => h('option', { value: c.id, selected: ctx.query.get('critere') === c.id }, `${c.id} — ${c.statement.slice(0, 70)}…`)))));
  const out = h('div', { 'aria-live': 'polite' });
  const show = async () => {
    out.replaceChildren(h('p', { class: 'loading' }, 'Chargement…'));
    try {
      const crit = select.value;
      const list = await api('GET', `good-practices${crit ? `?criterion=${encodeURIComponent(crit)}` : ''}`);
      out.replaceChildren();
      if (!list.length) {
        add(out, message('info', crit ? `Aucune bonne pratique partagée pour le critère ${crit} pour l’instant.`
          : 'Aucune bonne pratique n’a encore été partagée dans le catalogue.'));
        return;
      }
      const groups = new Map();
      list.forEach((g) => {
        const k = g.criterion || '';
        if (!groups.has(k)) groups.set(k, []);
        groups.get(k).push(g);
      });
      for (const [k, items] of groups) {
        const c = ref.byId.get(k);
        add(out, h('section', { class: 'card' }, h('h2', k ? `${k} ` : 'Sans critère associé', c ? levelBadge(c.level) : null),
          c ? h('p', { class: 'statement' }, c.statement) : null,
          h('ul', items.map((g) => h('li', h('p', g.text), h('p', { class: 'hint' }, `Relevée chez ${g.organisation}`))))));
      }
    } catch (err) {
      if (err.status !== 401) out.replaceChildren(errorBox(err));
    }
  };
  select.addEventListener('change', show);
  add(view, h('div', { class: 'filters' }, field('Critère', select).wrap), out);
  await show();
}




/* ---- the certificate check (public) ----------------------------------------------- */

const DECISION_WORDS = { awarded: 'label attribué', refused: 'label refusé', deferred: 'décision ajournée' };

function certificateResult(code, r) {
  if (!r.known) {
    return h('div', { class: 'cert-result', 'data-testid': 'certificate-result', 'data-result': 'unknown' },
      message('error', 'Code inconnu : aucun certificat du LABEL CPE ne porte ce code de vérification.'),
      h('p', { class: 'hint' }, 'Vérifiez la saisie : le code est la longue suite de chiffres et de lettres imprimée sous « Code de vérification » sur le certificat.'));
  }
  const facts = h('dl', { class: 'facts' },
    h('dt', 'CAE'), h('dd', r.organisation || '—'),
    h('dt', 'Ville'), h('dd', r.city || '—'),
    h('dt', 'Décision'), h('dd', DECISION_WORDS[r.outcome] || r.outcome || '—'),
    h('dt', 'Date de la décision'), h('dd', r.date ? frDate(r.date) : '—'),
    h('dt', 'Label valable jusqu’au'), h('dd', r.valid_until ? frDate(r.valid_until) : '—'));
  if (r.valid) {
    return h('div', { class: 'cert-result', 'data-testid': 'certificate-result', 'data-result': 'valid' },
      message('success', `Certificat valide : ${r.organisation} porte le LABEL CPE jusqu’au ${frDate(r.valid_until)}.`), facts);
  }
  const expired = r.outcome === 'awarded';
  return h('div', { class: 'cert-result', 'data-testid': 'certificate-result', 'data-result': expired ? 'expired' : 'invalid' },
    message('warning', expired ? `Label expiré : le label de ${r.organisation || 'cette CAE'} n’est plus valable${r.valid_until ? ` depuis le ${frDate(r.valid_until)}` : ''}.`
      : 'Ce code correspond à une décision qui n’attribue pas le label : le certificat n’est pas valide.'), facts);
}

export async function certificate(view, ctx) {
  pageTitle(view, 'Vérifier un certificat',
    'Chaque certificat du LABEL CPE porte un code de vérification. Saisissez-le pour savoir si le label qu’il atteste est valable aujourd’hui.');
  const input = h('input', { type: 'text', id: 'certificate-code', name: 'code', autocomplete: 'off', spellcheck: 'false', required: true, class: 'mono',
    value: ctx.query.get('code') || '' });
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Vérifier');
  const form = h('form', { class: 'form', novalidate: true, role: 'search' },
    field('Code de vérification', input, 'Imprimé au bas du certificat ; les espaces sont ignorés.').wrap, h('p', submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const code = input.value.replace(/\s+/g, '');
    if (!code) {
      add(out, message('error', 'Saisissez le code de vérification.'));
      input.focus();
      return;
    }
    submit.disabled = true;
    try {
      const r = await api('GET', `public/certificates/${encodeURIComponent(code)}`, undefined, { quiet401: true });
      out.replaceChildren(certificateResult(code, r));
    } catch (err) {
      if (err.status === 404 || err.status === 400) out.replaceChildren(certificateResult(code, { known: false }));
      else out.replaceChildren(errorBox(err));
    } finally {
      submit.disabled = false;
    }
  });
  add(view, h('section', { class: 'card' }, form, out));
  if (input.value) form.requestSubmit();
}
