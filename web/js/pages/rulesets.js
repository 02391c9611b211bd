// rulesets: the rules' activation history, a stored rule set's files, the
// diff between two rule sets, and the what-if before activating new rules
// (committee, admin). Endpoints: GET /rulesets, GET /rulesets/{hash},
// GET /rulesets/diff, POST /rulesets/whatif, POST /rulesets.
import { api, getReferential, resetReferential } from '../api.js';
import { h, field, add } from '../dom.js';
import { LEVELS, KINDS, frDate, plural } from '../i18n.js';
import { pageTitle, message, errorBox, outcomeBadge, table, busy, announce } from '../ui.js';

const short = (hash) => (hash ? hash.slice(0, 12) : '—');

function hashCode(hash) {
  return h('code', { class: 'hash', title: hash }, short(hash));
}

function when(iso) {
  if (!iso) return '—';
  const time = /T(\d{2}):(\d{2})/.exec(iso);
  return `${frDate(iso)}${time ? ` à ${time[1]} h ${time[2]} (UTC)` : ''}`;
}

/** The history, newest first; the active rule set is the latest activation's,
 * with "error" when it does not load (then the référentiel is not asked for). */
async function history() {
  const list = await api('GET', 'rulesets');
  const sorted = [...list].sort((x, y) => y.id - x.id);
  const active = sorted.length ? sorted[0].ruleset : (await getReferential()).ruleset;
  return { list: sorted, active, error: sorted.length ? sorted[0].error || null : null };
}

/** Says that the active rules do not load, and how to restore them. */
function brokenRules(error) {
  return h('div', { 'data-testid': 'active-rules-error' }, message('error',
    'Les règles actives ne se chargent pas : les évaluations, les décisions et le référentiel sont indisponibles. Réactivez une version antérieure (ci-dessous, « Voir les fichiers » puis simulation et activation, ou `labelcoop rules rollback --note TEXTE`).',
    error));
}

function versionName(x) {
  return `${x.label ? `version ${x.label}` : 'sans numéro de version'} — ${short(x.ruleset)} (${frDate(x.activated_at)})`;
}

/* ---- the history and the diff ----------------------------------------------------- */

export async function rulesets(view, ctx) {
  const { list, active, error } = await history();
  if (!ctx.isCurrent()) return;
  pageTitle(view, 'Les règles du label',
    'Chaque version des règles (référentiel, pondérations, règle d’attribution) est identifiée par son empreinte et conservée telle quelle. Avant d’activer une nouvelle version, mesurez ses effets sur les CAE.');
  if (error) add(view, brokenRules(error));
  add(view, h('p', h('a', { class: 'button', href: '#/comite/regles/simulation', id: 'whatif-link' }, 'Préparer de nouvelles règles et simuler leurs effets')));

  const rows = list.map((x) => [
    when(x.activated_at),
    h('span', x.label || '—', x.ruleset === active && x === list.find((y) => y.ruleset === active) ? [' ', h('span', { class: 'badge badge-active' }, 'active')] : null),
    x.note || '—',
    x.activated_by_email || 'installation',
    hashCode(x.ruleset),
    h('a', { class: 'cell-link', href: `#/comite/regles/fichiers?empreinte=${encodeURIComponent(x.ruleset)}` }, h('span', { class: 'visually-hidden' }, `Version ${x.label || short(x.ruleset)} : `), 'Voir les fichiers'),
  ]);
  add(view, h('section', { class: 'card', 'aria-labelledby': 'hist' }, h('h2', { id: 'hist' }, 'Historique des activations'),
    list.length ? h('div', { 'data-testid': 'ruleset-history' }, table('Historique des activations des règles',
      ['Activée le', 'Version', 'Note', 'Par', 'Empreinte', 'Fichiers'], rows)) : message('info', 'Aucune activation enregistrée.')));

  // the diff between two stored rule sets
  const distinct = [];
  for (const x of list) if (!distinct.some((y) => y.ruleset === x.ruleset)) distinct.push(x);
  const opts = (sel) => distinct.map((x) => h('option', { value: x.ruleset, selected: x.ruleset === sel }, versionName(x)));
  const from = h('select', { id: 'diff-from', 'data-no-draft': true }, opts(ctx.query.get('de') || (distinct[1] || distinct[0] || {}).ruleset));
  const to = h('select', { id: 'diff-to', 'data-no-draft': true }, opts(ctx.query.get('a') || (distinct[0] || {}).ruleset));
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'diff' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Comparer');
  const form = h('form', { class: 'form', novalidate: true }, field('Version de départ', from).wrap, field('Version d’arrivée', to).wrap, h('p', submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(submit, async () => {
      out.replaceChildren(h('p', { class: 'loading' }, 'Comparaison…'));
      try {
        const d = await api('GET', `rulesets/diff?from=${encodeURIComponent(from.value)}&to=${encodeURIComponent(to.value)}`);
        out.replaceChildren(diffView(d));
        announce('Comparaison affichée.');
      } catch (err) {
        out.replaceChildren();
        if (err.status !== 401) add(out, errorBox(err));
      }
    });
  });
  add(view, h('section', { class: 'card', 'aria-labelledby': 'diff-title' }, h('h2', { id: 'diff-title' }, 'Comparer deux versions'),
    distinct.length < 2 ? message('info', 'Une seule version des règles a été activée : il n’y a rien à comparer pour l’instant.') : [form, out]));
  if (ctx.query.get('de') && ctx.query.get('a')) form.requestSubmit();
}

const DIFF_PARTS = [
  ['added', 'Critères ajoutés'],
  ['removed', 'Critères retirés'],
  ['reworded', 'Critères reformulés'],
  ['level_changed', 'Niveaux changés'],
  ['weight_changed', 'Poids changés'],
  ['na_changed', 'Règle « non applicable » changée'],
  ['moved', 'Critères déplacés'],
  ['parameters_changed', 'Paramètres de la règle d’attribution changés'],
];

function value(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'oui' : 'non';
  if (typeof v === 'number') return String(v).replace('.', ',');
  if (LEVELS[v]) return LEVELS[v];
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function diffItem(key, x) {
  if (typeof x !== 'object' || x === null) return h('li', String(x));
  const name = x.id || x.name || x.criterion || '';
  if (key === 'reworded') {
    return h('li', h('strong', name), h('p', { class: 'small' }, h('span', { class: 'muted' }, 'Avant : '), value(x.from)),
      h('p', { class: 'small' }, h('span', { class: 'muted' }, 'Après : '), value(x.to)));
  }
  if ('from' in x || 'to' in x) return h('li', h('strong', name), ` : ${value(x.from)} → ${value(x.to)}`);
  const rest = Object.entries(x).filter(([k]) => !['id', 'name'].includes(k)).map(([k, v]) => (k === 'level' ? LEVELS[v] || v : k === 'statement' ? v : `${k} ${value(v)}`));
  return h('li', h('strong', name), rest.length ? ` — ${rest.join(' · ')}` : '');
}

function diffView(d) {
  const parts = DIFF_PARTS.filter(([k]) => Array.isArray(d[k]) && d[k].length);
  const box = h('div', { class: 'diff' }, h('p', 'De ', hashCode(d.from), ' à ', hashCode(d.to), '.'));
  if (!parts.length && !d.weights_changed) {
    add(box, message('info', 'Aucune différence dans le référentiel, les pondérations ni les paramètres d’attribution.'));
    return box;
  }
  for (const [k, title] of parts) add(box, h('h3', `${title} (${d[k].length})`), h('ul', { class: 'diff-list' }, d[k].map((x) => diffItem(k, x))));
  if (d.weights_changed) add(box, h('p', h('strong', 'Pondérations : '), 'le fichier des pondérations a changé (valeur des réponses ou poids des champs).'));
  return box;
}

/* ---- a stored rule set's files ------------------------------------------------------ */

export async function rulesetFiles(view, ctx) {
  const hash = ctx.query.get('empreinte');
  if (!hash) {
    pageTitle(view, 'Fichiers des règles');
    add(view, message('error', 'Aucune version des règles n’est indiquée.'), h('p', h('a', { href: '#/comite/regles' }, 'Revenir à l’historique')));
    return;
  }
  const rs = await api('GET', `rulesets/${encodeURIComponent(hash)}`);
  if (!ctx.isCurrent()) return;
  const paths = Object.keys(rs.files).sort();
  pageTitle(view, 'Fichiers des règles', `La version ${short(rs.ruleset)} : ${plural(paths.length, 'fichier', 'fichiers')}, tels qu’ils ont été activés.`);
  add(view, h('p', { class: 'hint' }, 'Empreinte complète : ', h('code', { class: 'hash' }, rs.ruleset)),
    h('p', { class: 'actions' }, h('a', { href: '#/comite/regles' }, 'Revenir à l’historique'), ' · ',
      h('a', { href: `#/comite/regles/simulation?base=${encodeURIComponent(rs.ruleset)}` }, 'Partir de cette version pour de nouvelles règles')));
  const list = h('div', { 'data-testid': 'ruleset-files' });
  for (const p of paths) {
    add(list, h('details', { class: 'file card' }, h('summary', h('code', p), h('span', { class: 'muted small' }, ` — ${plural(rs.files[p].split('\n').length, 'ligne', 'lignes')}`)),
      h('pre', { class: 'source', tabindex: '0', 'aria-label': `Contenu de ${p}` }, rs.files[p])));
  }
  add(view, list);
}

/* ---- what-if and activation --------------------------------------------------------- */

export async function whatif(view, ctx) {
  const base = ctx.query.get('base');
  const { list, active, error } = await history();
  const from = base || active;
  // the référentiel only names fields: unavailable while the active rules do not load
  const [rs, ref] = await Promise.all([api('GET', `rulesets/${encodeURIComponent(from)}`), error ? {} : getReferential()]);
  fieldNames = ref.fieldById ? new Map([...ref.fieldById].map(([k, f]) => [k, f.name])) : new Map();
  if (!ctx.isCurrent()) return;
  if (error) add(view, brokenRules(error));
  pageTitle(view, 'Nouvelles règles : simulation et activation',
    'Modifiez les fichiers des règles, simulez : la plate-forme recalcule le dernier audit de chaque CAE et les auto-évaluations en cours, sous les règles actives et sous les vôtres, sans rien enregistrer. Activez ensuite, avec une note qui dit pourquoi.');
  const baseInfo = list.find((x) => x.ruleset === from);
  add(view, h('p', { class: 'hint' }, `Point de départ : ${from === active ? 'les règles actives' : 'une version antérieure'} `,
    hashCode(from), baseInfo && baseInfo.label ? ` (version ${baseInfo.label})` : '', '. ', h('a', { href: '#/comite/regles' }, 'Historique et comparaison des versions')));

  // the files, one textarea each
  const editors = new Map();
  const filesBox = h('div', { class: 'rule-files' });
  const addEditor = (path, text, { open = false, added = false } = {}) => {
    const id = `rules-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
    const ta = h('textarea', { id, rows: 18, class: 'mono source-edit', spellcheck: 'false', 'data-path': path, autocomplete: 'off' });
    ta.value = text;
    const mark = h('span', { class: 'badge badge-changed', hidden: !added }, added ? 'nouveau' : 'modifié');
    const original = added ? null : text;
    const sync = () => {
      mark.hidden = !added && ta.value === original;
      invalidate();
    };
    ta.addEventListener('input', sync);
    ta.addEventListener('change', sync);
    const det = h('details', { class: 'file card', open, 'data-file': path }, h('summary', h('code', path), ' ', mark), field(`Contenu de ${path}`, ta).wrap);
    editors.set(path, { ta, det, sync });
    add(filesBox, det);
    return ta;
  };
  for (const p of Object.keys(rs.files).sort()) addEditor(p, rs.files[p]);

  const upload = h('input', { type: 'file', id: 'rules-upload', accept: '.lua,text/plain', multiple: true });
  const uploadOut = h('div', { 'aria-live': 'polite' });
  upload.addEventListener('change', async () => {
    uploadOut.replaceChildren();
    const names = [];
    for (const f of upload.files) {
      const text = await f.text();
      const match = [...editors.keys()].find((p) => p === f.name || p.endsWith(`/${f.name}`));
      if (match) {
        const e = editors.get(match);
        e.ta.value = text;
        e.det.open = true;
        e.sync();
        names.push(match);
      } else {
        const path = /\.lua$/.test(f.name) && !['award.lua', 'weights.lua'].includes(f.name) ? `referential/${f.name}` : f.name;
        addEditor(path, text, { open: true, added: true });
        invalidate();
        names.push(`${path} (nouveau)`);
      }
    }
    upload.value = '';
    if (names.length) add(uploadOut, message('success', `Fichiers chargés : ${names.join(', ')}.`));
  });

  const files = () => Object.fromEntries([...editors].map(([p, e]) => [p, e.ta.value]));
  const whatifOut = h('div', { 'aria-live': 'polite', 'data-testid': 'whatif' });
  const runBtn = h('button', { type: 'submit', class: 'button', id: 'whatif-run' }, 'Simuler les effets');
  const form = h('form', { class: 'form wide', novalidate: true },
    h('section', { class: 'card', 'aria-labelledby': 'files-title' }, h('h2', { id: 'files-title' }, '1. Les fichiers des règles'),
      h('p', { class: 'hint' }, 'Ouvrez un fichier pour le modifier. Les paramètres de la règle d’attribution (part des critères recommandés, durée de validité…) sont en tête de award.lua.'),
      field('Remplacer ou ajouter des fichiers depuis votre ordinateur', upload, 'Un fichier du même nom remplace le contenu affiché ; un autre fichier .lua s’ajoute au référentiel.').wrap,
      uploadOut, filesBox),
    h('section', { class: 'card', 'aria-labelledby': 'run-title' }, h('h2', { id: 'run-title' }, '2. La simulation'), h('p', runBtn), whatifOut));

  // activation: only after a simulation of exactly these files
  let simulated = null;
  const note = h('textarea', { id: 'activate-note', rows: 3, required: true });
  const label = h('input', { type: 'text', id: 'activate-label', autocomplete: 'off' });
  const actOut = h('div', { 'aria-live': 'polite' });
  const actBtn = h('button', { type: 'submit', class: 'button', id: 'activate', disabled: true }, 'Activer ces règles');
  const actHint = h('p', { class: 'hint', id: 'activate-hint' }, 'Simulez d’abord les effets de ces fichiers : l’activation se fait sur les fichiers simulés.');
  const actForm = h('form', { class: 'form', novalidate: true }, field('Numéro de version (facultatif)', label, 'Par exemple « 2027.1 ».').wrap,
    field('Note d’activation', note, 'Pourquoi ces règles changent : elle figure dans l’historique.').wrap, actHint, actOut, h('p', actBtn));
  function invalidate() {
    if (!simulated) return;
    simulated = null;
    actBtn.disabled = true;
    actHint.textContent = 'Les fichiers ont changé depuis la simulation : simulez à nouveau avant d’activer.';
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(runBtn, async () => {
      whatifOut.replaceChildren(h('p', { class: 'loading', role: 'status' }, 'Simulation en cours…'));
      const sent = files();
      try {
        const r = await api('POST', 'rulesets/whatif', { files: sent });
        whatifOut.replaceChildren(whatifView(r));
        simulated = JSON.stringify(sent);
        actBtn.disabled = false;
        actHint.textContent = r.candidate === r.current ? 'Ces fichiers sont identiques aux règles actives : les activer n’aurait aucun effet.'
          : `Vous allez activer la version ${short(r.candidate)}.`;
        announce(`Simulation terminée : ${plural((r.changed || []).length, 'résultat change', 'résultats changent')}.`);
      } catch (err) {
        whatifOut.replaceChildren();
        if (err.status === 400) add(whatifOut, rulesError(err));
        else if (err.status !== 401) add(whatifOut, errorBox(err));
      }
    });
  });
  actForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    actOut.replaceChildren();
    if (!simulated) return;
    if (!note.value.trim()) {
      add(actOut, message('error', 'Écrivez la note d’activation : elle explique le changement dans l’historique.'));
      note.focus();
      return;
    }
    busy(actBtn, async () => {
      try {
        const body = { files: JSON.parse(simulated), note: note.value.trim() };
        if (label.value.trim()) body.label = label.value.trim();
        const r = await api('POST', 'rulesets', body);
        resetReferential();
        actForm.replaceWith(h('div', { 'data-testid': 'activated' }, message('success', `Règles activées : version ${body.label || short(r.ruleset)} (activation n° ${r.activation}). Elles s’appliquent aux nouvelles évaluations dès maintenant.`),
          h('p', h('a', { class: 'button', href: '#/comite/regles' }, 'Voir l’historique des règles'))));
        announce('Règles activées.');
      } catch (err) {
        if (err.status === 400) add(actOut, rulesError(err));
        else if (err.status === 409) add(actOut, specsFailed(err));
        else if (err.status !== 401) add(actOut, errorBox(err));
        if (err.status !== 401) actBtn.disabled = false;
      }
    });
    actBtn.disabled = true;
  });
  add(view, form, h('section', { class: 'card', 'aria-labelledby': 'act-title' }, h('h2', { id: 'act-title' }, '3. L’activation'), actForm));
}

/** The rule specs (spec/) run before every activation: busted's report. */
function specsFailed(err) {
  return h('div', { class: 'message message-error', role: 'alert', 'data-testid': 'specs-failed' },
    h('p', 'Les tests des règles (dossier spec/) échouent sur ces fichiers : rien n’a été activé. Corrigez les règles, ou les tests s’ils décrivent l’ancienne règle.'),
    h('pre', { class: 'source small' }, err.apiMessage || err.message));
}

function rulesError(err) {
  return h('div', { class: 'message message-error', role: 'alert', 'data-testid': 'rules-error' },
    h('p', 'Ces règles ne se chargent pas : corrigez le fichier à la ligne indiquée, puis recommencez.'),
    h('pre', { class: 'source small' }, err.apiMessage || err.message));
}

let fieldNames = new Map();
const fieldName = (id) => (fieldNames.get(id) ? `${fieldNames.get(id)} (${id})` : id);

/* The simulated outcome, and what stays whatever it says: a decision taken,
 * a label awarded under the rules of its day. */
function keptNote(c) {
  if (c.label_kept) return [outcomeBadge(c.after), ' ', h('span', { class: 'badge badge-active', 'data-testid': 'label-kept' }, 'label attribué conservé')];
  if (c.decided) return [outcomeBadge(c.after), ' ', h('span', { class: 'muted', 'data-testid': 'decision-kept' }, 'décision maintenue')];
  return outcomeBadge(c.after);
}

function whatifView(r) {
  const box = h('div', { class: 'whatif' });
  // the active rules do not load: weighed against the latest that do, or nothing
  if (r.error) add(box, message('warning', r.current ? 'Les règles actives ne se chargent pas : la simulation compare avec la dernière version qui se charge.' : 'Aucune version enregistrée ne se charge : rien à comparer.', r.error));
  if (!r.changed) return box;
  add(box, h('p', `${plural(r.evaluated, 'évaluation recalculée', 'évaluations recalculées')} (le dernier audit de chaque CAE et les auto-évaluations en cours). `,
    h('strong', r.changed.length ? `${plural(r.changed.length, 'résultat change', 'résultats changent')}.` : 'Aucun résultat ne change.')),
  h('p', { class: 'hint' }, 'Règles actives ', hashCode(r.current), ' ; règles simulées ', hashCode(r.candidate), '.'));
  if (r.changed.length) {
    add(box, h('h3', 'Les évaluations dont le résultat change'),
      h('p', { class: 'hint' }, 'Seuls les brouillons peuvent passer à de nouvelles règles : une évaluation soumise garde les siennes, et un label déjà attribué reste acquis jusqu’à son échéance.'),
      h('div', { 'data-testid': 'whatif-changed' }, table('Les évaluations dont le résultat change', ['CAE', 'Évaluation', 'Avant', 'Après', 'Critères en cause'],
      r.changed.map((c) => [c.organisation,
        h('a', { href: `#/evaluations/${c.assessment_id}/resultats` }, `${KINDS[c.kind] || c.kind} n° ${c.assessment_id}`),
        outcomeBadge(c.before), keptNote(c),
        c.criteria && c.criteria.length ? c.criteria.map((x) => (typeof x === 'string' ? x : x.id || JSON.stringify(x))).join(', ')
          : h('span', { class: 'muted' }, 'les paramètres d’attribution')]))));
  }
  if (r.by_level) {
    add(box, h('h3', 'Nombre de critères par niveau'), table('Nombre de critères par niveau', ['Niveau', 'Règles actives', 'Règles simulées'],
      Object.entries(r.by_level).map(([k, v]) => [LEVELS[k] || k, String(v.current), String(v.candidate)])));
  }
  if (r.by_field) {
    const cell = (x) => (x ? `${x.mandatory ?? 0} / ${x.recommended ?? 0} / ${x.advised ?? 0}` : '—');
    add(box, h('h3', 'Par champ'), h('p', { class: 'hint' }, 'Critères obligatoires / recommandés / conseillés, et résultats qui changent à cause du champ.'),
      table('Par champ : critères obligatoires / recommandés / conseillés, et résultats qui changent',
        ['Champ', 'Règles actives', 'Règles simulées', 'Résultats qui changent'],
        Object.entries(r.by_field).map(([k, v]) => [fieldName(k), cell(v.current), cell(v.candidate), String(v.changed_outcomes ?? 0)])));
  }
  return box;
}
