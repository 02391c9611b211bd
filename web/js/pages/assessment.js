// assessment: the criterion view shared by the self-assessment and the audit.
// The six fields are sections with progress bars; every answer saves as it
// changes (no save button), with a visible state per criterion and for the
// page, automatic retries after a network error, and unsaved answers kept in
// sessionStorage across a session expiry.
import { api, apiFile, apiWrite, getReferential, getReferentialOf, saveBlob } from '../api.js';
import { h, field, newId, add } from '../dom.js';
import { ANSWERS, ANSWER_ORDER, KINDS, frDate, plural } from '../i18n.js';
import { frenchReason } from '../errors.js';
import { pageTitle, message, errorBox, levelBadge, statusBadge, outcomeBadge, progressBar, announce, busy, today } from '../ui.js';
import { noteText } from './results.js';
import { isDocEntry, wireEntry, entryText, cardDocuments, linkedList } from './documents.js';

const STAKEHOLDER_ROLES = ['Entrepreneur-salarié', 'Entrepreneure-salariée', 'Salarié permanent', 'Salariée permanente',
  'Associé', 'Associée', 'Membre du conseil d’administration', 'Gérant ou gérante'];

// Findings are written by those who answer for them (as the server checks):
// the CAE's members, or the audit's auditor while certified; never an admin.
export function canEdit(user, a) {
  if (a.status !== 'draft' || !user) return false;
  if (a.kind === 'self_assessment') return user.role === 'cae' && user.organisation_id === a.organisation_id;
  return user.role === 'auditor' && user.id === a.auditor_id && !!user.certified_until && user.certified_until >= today();
}

// A deferral gives the audit back to its auditor for the points the
// committee named: shown on the draft until it is submitted again.
function deferralNote(a) {
  const last = a.decisions && a.decisions[a.decisions.length - 1];
  if (a.status !== 'draft' || !last || last.outcome !== 'deferred') return null;
  return h('section', { class: 'card', 'aria-labelledby': 'deferral-title', 'data-testid': 'deferral' },
    h('h2', { id: 'deferral-title' }, `Décision ajournée par le Comité le ${frDate(last.date)}`),
    h('p', 'Le Comité renvoie l’audit à l’auditeur pour les points suivants ; une fois repris, soumettez-le de nouveau.'),
    h('ul', (last.points || []).map((p) => h('li', noteText(p)))));
}

/** Whether user may move draft a to the active rules (the API's own rule). */
export function canMigrate(user, a) {
  if (a.status !== 'draft' || !user) return false;
  if (user.role === 'committee') return true;
  return a.kind === 'self_assessment' && user.role === 'cae' && user.organisation_id === a.organisation_id;
}

/* ---- autosave ------------------------------------------------------------------ */

class Saver {
  /** etags: each answer's tag as the page read it; a save sends it as If-Match. */
  constructor(assessmentId, onState, etags = new Map()) {
    this.id = assessmentId;
    this.etags = etags;
    this.key = `labelcoop.pending.${assessmentId}`;
    this.entries = new Map();
    this.onState = onState;
    window.addEventListener('online', () => this.retryAll());
  }

  pending() {
    try {
      return JSON.parse(sessionStorage.getItem(this.key) || '{}');
    } catch {
      return {};
    }
  }

  keep(criterion, data) {
    const p = this.pending();
    if (data) p[criterion] = data;
    else delete p[criterion];
    if (Object.keys(p).length) sessionStorage.setItem(this.key, JSON.stringify(p));
    else sessionStorage.removeItem(this.key);
  }

  entry(criterion) {
    if (!this.entries.has(criterion)) this.entries.set(criterion, { state: 'saved', tries: 0 });
    return this.entries.get(criterion);
  }

  /** Records the new answer and sends it, at once or after delay ms. */
  change(criterion, data, delay = 0) {
    const e = this.entry(criterion);
    e.data = data;
    this.keep(criterion, data);
    clearTimeout(e.timer);
    if (!data.status) {
      this.set(criterion, 'local');
      return;
    }
    if (delay) {
      this.set(criterion, 'waiting');
      e.timer = setTimeout(() => this.send(criterion), delay);
    } else {
      this.send(criterion);
    }
  }

  set(criterion, state, text) {
    const e = this.entry(criterion);
    e.state = state;
    e.text = text;
    this.onState(criterion, e);
  }

  async send(criterion) {
    const e = this.entry(criterion);
    clearTimeout(e.timer);
    if (e.inflight) {
      e.again = true;
      return;
    }
    const data = e.data;
    e.inflight = true;
    this.set(criterion, 'saving');
    try {
      const saved = await apiWrite('PUT', `assessments/${this.id}/answers/${encodeURIComponent(criterion)}`,
        { status: data.status, comment: data.comment || '', evidence: (data.evidence || []).map(wireEntry) },
        this.etags.get(criterion));
      if (saved.etag) this.etags.set(criterion, saved.etag);
      e.tries = 0;
      if (e.data === data) {
        this.keep(criterion, null);
        this.set(criterion, 'saved');
      }
    } catch (err) {
      if (err.status === 401) {
        this.set(criterion, 'error', 'Session expirée : la réponse sera enregistrée après reconnexion.');
      } else if (err.status === 0 || err.status >= 500 || err.status === 429) {
        e.tries += 1;
        const wait = Math.min(30, 2 ** e.tries);
        this.set(criterion, 'error', `Non enregistré : le serveur est injoignable. Nouvel essai dans ${wait} s.`);
        e.timer = setTimeout(() => this.send(criterion), wait * 1000);
      } else {
        const msg = err.status === 412
          ? 'Non enregistré : cette réponse a été modifiée ailleurs (un autre onglet ou une autre personne) depuis l’ouverture de la page. Rechargez la page pour voir la version enregistrée.'
          : err.status === 409 ? 'Non enregistré : cette évaluation n’est plus modifiable.'
            : err.status === 403 ? 'Non enregistré : accès refusé.' : 'Non enregistré : la réponse est refusée.';
        if (err.status === 412) {
          this.set(criterion, 'failed', msg);
          return;
        }
        const reason = frenchReason(err);
        this.set(criterion, 'failed', reason ? `${msg} ${reason}` : msg);
      }
    } finally {
      e.inflight = false;
      if (e.again) {
        e.again = false;
        this.send(criterion);
      }
    }
  }

  retryAll() {
    for (const [c, e] of this.entries) if (e.state === 'error' || e.state === 'failed') this.send(c);
  }

  counts() {
    const n = { saving: 0, error: 0, local: 0 };
    for (const e of this.entries.values()) {
      if (e.state === 'saving' || e.state === 'waiting') n.saving += 1;
      else if (e.state === 'error' || e.state === 'failed') n.error += 1;
      else if (e.state === 'local') n.local += 1;
    }
    return n;
  }
}

/* ---- the page ------------------------------------------------------------------ */

export async function assessmentPage(view, ctx) {
  const id = ctx.params.id;
  const [a, active] = await Promise.all([api('GET', `assessments/${id}`), getReferential()]);
  // Every assessment shows the criteria of its own rules: a draft opened
  // before an activation stays editable under them until it is moved.
  const newer = a.status === 'draft' && a.ruleset !== active.ruleset;
  const ref = await getReferentialOf(a.ruleset);
  const practices = await api('GET', 'good-practices').catch((err) => {
    if (err.status === 401) throw err;
    return null;
  });
  const audit = a.kind === 'audit';
  const selfSide = audit ? await selfAssessmentOf(a) : null;
  if (!ctx.isCurrent()) return;
  const editable = canEdit(ctx.user, a);

  pageTitle(view, `${KINDS[a.kind]} — ${a.organisation}`);
  add(view, h('p', { class: 'meta' }, statusBadge(a.status, a.kind), ` N° ${a.id} — ouverture le ${frDate(a.created_at)}`,
    a.submitted_at ? `, soumission le ${frDate(a.submitted_at)}` : '', '. ',
    h('a', { href: `#/evaluations/${a.id}/resultats` }, a.status === 'draft' ? 'Voir les résultats provisoires' : 'Voir les résultats')));
  if (newer) add(view, newerRules(a, ctx));
  if (a.status === 'draft' && !editable) {
    add(view, message('info', 'Vous consultez cette évaluation en lecture seule.'));
  } else if (a.status !== 'draft') {
    add(view, message('info', 'Cette évaluation est soumise : les réponses ne peuvent plus être modifiées.'));
  }
  if (editable) {
    add(view, h('p', { class: 'hint' }, 'Chaque réponse est enregistrée dès que vous la modifiez : il n’y a pas de bouton « Enregistrer ».'));
  }
  const deferral = deferralNote(a);
  if (deferral) add(view, deferral);
  if (selfSide && selfSide.note) add(view, message('info', selfSide.note));
  if (selfSide && selfSide.intro) add(view, h('p', { class: 'hint', 'data-testid': 'self-intro' }, selfSide.intro));
  if (practices && !practices.length) {
    add(view, h('p', { class: 'hint' }, 'Les bonnes pratiques partagées par les CAE du réseau s’afficheront à côté de chaque critère ; le ',
      h('a', { href: '#/bonnes-pratiques' }, 'catalogue'), ' est vide pour l’instant.'));
  }

  add(view, reportSection(a));

  const answers = new Map(a.answers.map((x) => [x.criterion, { status: x.status, comment: x.comment || '', evidence: x.evidence || [] }]));
  const total = ref.criteria.length;
  const bars = new Map();
  const cards = new Map();

  // the sticky status bar: overall progress and the save state
  const overallText = h('span', { class: 'overall-text' });
  const overallBarSlot = h('span', { class: 'overall-bar' });
  const saveState = h('span', { class: 'save-global', id: 'save-global', 'data-state': 'saved', role: 'status' }, 'Enregistré');
  const retryAll = h('button', { type: 'button', class: 'button-secondary small', hidden: true }, 'Réessayer maintenant');
  add(view, h('div', { class: 'statusbar' }, h('span', { class: 'overall' }, overallBarSlot, overallText),
    editable ? h('span', { class: 'save-box' }, saveState, retryAll) : null));

  const saver = new Saver(id, (criterion, e) => {
    const card = cards.get(criterion);
    if (card) card.showState(e);
    const n = saver.counts();
    let state = 'saved';
    let text = 'Enregistré';
    if (n.error) {
      state = 'error';
      text = `${plural(n.error, 'réponse non enregistrée', 'réponses non enregistrées')}`;
    } else if (n.saving) {
      state = 'saving';
      text = 'Enregistrement…';
    } else if (n.local) {
      state = 'local';
      text = `${plural(n.local, 'commentaire attend', 'commentaires attendent')} une réponse pour être enregistré${n.local > 1 ? 's' : ''}`;
    }
    if (saveState.dataset.state !== state && (state === 'error' || (state === 'saved' && saveState.dataset.state === 'error'))) {
      announce(state === 'error' ? `Attention : ${text}.` : 'Toutes les réponses sont enregistrées.');
    }
    saveState.dataset.state = state;
    saveState.textContent = text;
    retryAll.hidden = !n.error;
  }, new Map(a.answers.map((x) => [x.criterion, x.etag])));
  retryAll.addEventListener('click', () => saver.retryAll());

  const refreshProgress = () => {
    let done = 0;
    for (const f of ref.fields) {
      const crits = ref.criteria.filter((c) => c.field === f.id);
      const n = crits.filter((c) => answers.get(c.id) && answers.get(c.id).status).length;
      done += n;
      for (const slot of bars.get(f.id)) slot.replaceChildren(progressBar(n, crits.length, `Progression : ${f.name}`), h('span', { class: 'progress-text' }, `${n} / ${crits.length}`));
    }
    overallBarSlot.replaceChildren(progressBar(done, total, 'Progression de l’évaluation'));
    overallText.textContent = `${done} sur ${total} critères renseignés`;
    overallText.dataset.done = String(done);
  };

  // the fields overview
  const overview = h('nav', { class: 'fields-overview', 'aria-label': 'Les six champs du référentiel' });
  const ol = h('ol');
  for (const f of ref.fields) {
    const slot = h('span', { class: 'bar-slot' });
    bars.set(f.id, [slot]);
    add(ol, h('li', h('a', { href: `#/evaluations/${id}`, 'data-target': `field-${f.id}`, onclick: jumpTo }, f.name), slot));
  }
  add(overview, ol);
  add(view, overview);

  const pendingAtLoad = saver.pending();
  for (const f of ref.fields) {
    const slot = h('span', { class: 'bar-slot' });
    bars.get(f.id).push(slot);
    const sec = h('section', { class: 'field-section', id: `field-${f.id}`, 'aria-labelledby': `h-${f.id}` },
      h('div', { class: 'field-head' }, h('h2', { id: `h-${f.id}`, tabindex: '-1' }, f.name), slot));
    for (const theme of f.themes) {
      const crits = ref.criteria.filter((c) => c.field === f.id && c.theme === theme);
      if (!crits.length) continue;
      add(sec, h('h3', theme));
      for (const c of crits) {
        const card = criterionCard(c, {
          answer: answers.get(c.id), editable, audit, practices, selfSide, org: a.organisation_id,
          onChange: (data, delay) => {
            answers.set(c.id, data);
            refreshProgress();
            saver.change(c.id, data, delay);
          },
        });
        cards.set(c.id, card);
        add(sec, card.el);
      }
    }
    add(view, sec);
  }
  refreshProgress();

  // answers typed before a session expiry or a network failure: shown, then saved again
  if (editable) {
    for (const [crit, data] of Object.entries(pendingAtLoad)) {
      const card = cards.get(crit);
      if (!card) continue;
      answers.set(crit, data);
      card.setAnswer(data);
      saver.change(crit, data);
    }
    refreshProgress();
    window.addEventListener('beforeunload', (ev) => {
      const n = saver.counts();
      if (n.saving || n.error) ev.preventDefault();
    });
  }

  if (audit) add(view, stakeholdersSection(a, editable));
  if (editable) add(view, submitSection(a, answers, total, saver, ctx));
}

/* ---- newer rules: the draft's own, or the active ones ------------------------------ */

const short = (hash) => hash.slice(0, 12);

/** What moving to the active rules changes for this draft (GET /assessments/{id}/whatif). */
function whatifSummary(w) {
  const ids = (list) => list.join(', ');
  const same = w.before === w.after && !w.criteria.length && !w.added.length && !w.orphans.length;
  if (same) return [h('p', { 'data-testid': 'draft-whatif' }, 'Pour cette évaluation, rien ne change : mêmes critères, même résultat provisoire (', outcomeBadge(w.before), ').')];
  return [h('ul', { 'data-testid': 'draft-whatif' },
    h('li', 'Résultat provisoire : ', outcomeBadge(w.before), ' → ', outcomeBadge(w.after), '.'),
    w.added.length ? h('li', `${plural(w.added.length, 'nouveau critère', 'nouveaux critères')} à renseigner : ${ids(w.added)}.`) : null,
    w.orphans.length ? h('li', `${plural(w.orphans.length, 'réponse conservée', 'réponses conservées')} mais plus prise${w.orphans.length > 1 ? 's' : ''} en compte (critère${w.orphans.length > 1 ? 's' : ''} retiré${w.orphans.length > 1 ? 's' : ''}) : ${ids(w.orphans)}.`) : null,
    w.criteria.length ? h('li', `Critères en cause dans le résultat : ${ids(w.criteria)}.`) : null)];
}

/** The notice on a draft whose rules are no longer the active ones. */
function newerRules(a, ctx) {
  const box = h('section', { class: 'message message-info', 'aria-label': 'Nouvelles règles du label', 'data-testid': 'newer-rules' },
    h('p', h('strong', 'De nouvelles règles du label sont actives. '),
      `Cette évaluation a été ouverte sous une version antérieure (${short(a.ruleset)}) : elle reste modifiable sous ses propres règles, jusqu’à sa soumission.`));
  if (!canMigrate(ctx.user, a)) {
    add(box, h('p', a.kind === 'audit'
      ? 'Le Comité de labellisation peut la faire passer aux nouvelles règles.'
      : 'La CAE ou le Comité de labellisation peut la faire passer aux nouvelles règles.'));
    return box;
  }
  const out = h('div', { 'aria-live': 'polite' });
  const summary = h('div', h('p', { class: 'loading' }, 'Calcul de ce qui changerait…'));
  const move = h('button', { type: 'button', class: 'button', id: 'migrate-draft', disabled: true }, 'Passer aux nouvelles règles');
  add(box, h('p', 'Ce que le passage aux nouvelles règles changerait pour cette évaluation (les réponses sont toutes conservées) :'), summary, h('p', move), out);
  let target = null;
  api('GET', `assessments/${a.id}/whatif`).then((w) => {
    target = w.to;
    summary.replaceChildren(...whatifSummary(w));
    move.disabled = false;
  }).catch((err) => {
    summary.replaceChildren();
    if (err.status !== 401) add(summary, errorBox(err));
  });
  move.addEventListener('click', () => busy(move, async () => {
    out.replaceChildren();
    try {
      await api('POST', `assessments/${a.id}/migrate`, { to: target });
      announce('L’évaluation suit désormais les nouvelles règles.');
      ctx.rerender();
    } catch (err) {
      if (err.status !== 401) add(out, errorBox(err));
    }
  }));
  return box;
}

/** The assessment's PDF report (GET /assessments/{id}/report.pdf): an audit
 * report for an audit, a self-assessment report for a self-assessment. */
function reportSection(a) {
  const self = a.kind === 'self_assessment';
  const name = self ? 'Rapport d’autoévaluation' : 'Rapport d’audit';
  const out = h('span', { 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'button-secondary small', 'data-doc': 'report', 'data-testid': 'report-pdf' },
    `${name} (PDF)`);
  button.addEventListener('click', () => busy(button, async () => {
    out.replaceChildren();
    try {
      const f = await apiFile(`assessments/${a.id}/report.pdf`, `${self ? 'rapport-autoevaluation' : 'rapport-audit'}-${a.id}.pdf`);
      saveBlob(f.blob, f.filename);
      add(out, message('success', `Document téléchargé : ${f.filename}.`));
    } catch (err) {
      if (err.status !== 401) add(out, errorBox(err));
    }
  }));
  return h('p', { class: 'actions' }, button, out);
}

function jumpTo(ev) {
  const target = document.getElementById(ev.currentTarget.dataset.target);
  if (!target) return;
  ev.preventDefault();
  target.scrollIntoView({ block: 'start' });
  const heading = target.querySelector('h2');
  if (heading) heading.focus({ preventScroll: true });
}

/** The CAE's latest submitted self-assessment, when this user may read it. */
async function selfAssessmentOf(a) {
  const hidden = { answers: null, note: 'Les réponses de l’auto-évaluation de la CAE ne sont pas accessibles avec votre rôle : la colonne correspondante est masquée.' };
  try {
    // An auditor reads the self-assessments of the CAE they audit through this filter.
    const list = await api('GET', `assessments?organisation_id=${a.organisation_id}`);
    const mine = list.filter((x) => x.kind === 'self_assessment' && x.organisation_id === a.organisation_id && x.status !== 'draft');
    if (!mine.length) return { answers: null, note: 'La CAE n’a pas encore soumis d’auto-évaluation : seuls vos constats sont affichés.' };
    const last = mine.reduce((p, x) => ((x.submitted_at || '') > (p.submitted_at || '') || ((x.submitted_at || '') === (p.submitted_at || '') && x.id > p.id) ? x : p));
    const full = await api('GET', `assessments/${last.id}`);
    return {
      answers: new Map(full.answers.map((x) => [x.criterion, x])),
      from: full,
      intro: `À côté de chaque constat : la réponse de la CAE dans son auto-évaluation n° ${full.id}, soumise le ${frDate(full.submitted_at)}.`,
    };
  } catch (err) {
    if (err.status === 401) throw err;
    if (err.status === 403) return hidden;
    return { answers: null, note: 'L’auto-évaluation de la CAE n’a pas pu être chargée.' };
  }
}

/** An answer's evidence: its text references (one a line in the page) and its linked documents. */
const textsOf = (evidence) => (evidence || []).filter((x) => !isDocEntry(x));
const docsOf = (evidence) => (evidence || []).filter(isDocEntry);

function criterionCard(c, { answer, editable, audit, practices, selfSide, org, onChange }) {
  const base = `crit-${c.id}`;
  let data = answer ? { ...answer } : { status: null, comment: '', evidence: [] };
  const title = h('h4', { id: `${base}-title`, class: 'criterion-head' }, h('span', { class: 'criterion-id' }, c.id), ' ', levelBadge(c.level),
    c.na_allowed ? h('span', { class: 'badge badge-na' }, 'Peut être non applicable') : null);
  const main = h('div', { class: 'criterion-main' }, title, h('p', { class: 'statement' }, c.statement));
  if (c.guidance || (c.evidence && c.evidence.length)) {
    add(main, h('details', { class: 'guidance' }, h('summary', 'Repères pour répondre'),
      c.guidance ? h('p', c.guidance) : null,
      c.evidence && c.evidence.length ? [h('p', h('strong', 'Preuves attendues :')), h('ul', c.evidence.map((x) => h('li', x)))] : null,
      c.legal && c.legal.length ? [h('p', h('strong', 'Références :')), h('ul', c.legal.map((x) => h('li', x)))] : null));
  }
  const stateEl = h('p', { class: 'save-state', 'data-state': 'saved' });
  const retry = h('button', { type: 'button', class: 'button-secondary small', hidden: true }, 'Réessayer');
  const buttons = new Map();
  let comment;
  let evidence;
  const statuses = ANSWER_ORDER.filter((st) => st !== 'not_applicable' || c.na_allowed);
  const question = audit ? 'Constat de l’audit' : 'Réponse de la CAE';

  const paint = () => {
    for (const [st, b] of buttons) b.setAttribute('aria-pressed', String(data.status === st));
  };
  // the linked documents: a link or an unlink is a change of the answer's evidence, saved at once
  let redrawSelf = () => {};
  const setDocs = (list) => {
    data = { ...data, evidence: [...textsOf(data.evidence), ...list] };
    docs.draw(list);
    redrawSelf();
    onChange(data, 0);
  };
  const docs = cardDocuments({
    criterion: c.id, org, entries: docsOf(data.evidence), editable, library: !audit,
    onLink: (entry) => {
      setDocs([...docsOf(data.evidence), entry]);
      announce(`Document joint au critère ${c.id}.`);
    },
    onUnlink: (i) => {
      const list = docsOf(data.evidence);
      list.splice(i, 1);
      setDocs(list);
      announce(`Document retiré du critère ${c.id}.`);
      docs.el.querySelector('button[data-action="attach"]').focus();
    },
  });

  if (editable) {
    const qid = `${base}-q`;
    const group = h('div', { class: 'answers', role: 'group', 'aria-labelledby': `${qid} ${base}-title` },
      h('span', { id: qid, class: 'answers-label' }, question));
    for (const st of statuses) {
      const b = h('button', { type: 'button', class: ['answer', `answer-${st}`], 'data-status': st, 'aria-pressed': 'false' }, ANSWERS[st]);
      b.addEventListener('click', () => {
        if (data.status === st) return;
        data = { ...data, status: st };
        paint();
        onChange(data, 0);
      });
      buttons.set(st, b);
      add(group, b);
    }
    comment = h('textarea', { id: `comment-${c.id}`, rows: 2, class: 'comment' });
    evidence = h('textarea', { id: `evidence-${c.id}`, rows: 2, class: 'evidence' });
    comment.value = data.comment || '';
    evidence.value = textsOf(data.evidence).map(entryText).join('\n');
    const read = () => ({ ...data, comment: comment.value,
      evidence: [...evidence.value.split('\n').map((x) => x.trim()).filter(Boolean), ...docsOf(data.evidence)] });
    const same = (x) => x.comment === (data.comment || '') && JSON.stringify(x.evidence) === JSON.stringify(data.evidence || []);
    for (const t of [comment, evidence]) {
      t.addEventListener('input', () => {
        const next = read();
        if (same(next)) return;
        data = next;
        onChange(data, 900);
      });
      t.addEventListener('change', () => {
        const next = read();
        if (same(next) && !t.dataset.flush) return;
        data = next;
        onChange(data, 0);
      });
    }
    retry.addEventListener('click', () => onChange(data, 0));
    add(main, group,
      h('div', { class: 'texts' },
        field('Commentaire', comment).wrap,
        field('Preuves (une référence par ligne)', evidence, 'Par exemple : « Statuts 2024, article 3 » ou le nom d’un document.').wrap),
      docs.el,
      h('div', { class: 'save-line' }, stateEl, retry));
    paint();
  } else {
    add(main, h('p', { class: 'answer-read' }, h('strong', `${question} : `),
      data.status ? h('span', { class: ['badge', `answer-badge-${data.status}`], 'data-status': data.status }, ANSWERS[data.status]) : h('span', { class: 'muted' }, 'sans réponse')),
    data.comment ? h('p', { class: 'comment-read' }, h('strong', 'Commentaire : '), data.comment) : null,
    textsOf(data.evidence).length ? h('div', h('p', h('strong', 'Preuves :')), h('ul', textsOf(data.evidence).map((x) => h('li', entryText(x))))) : null,
    docsOf(data.evidence).length ? docs.el : null);
  }

  // The CAE's documents beside a finding: the auditor takes one into their
  // finding (the same version), and reads it then (an auditor reads what
  // an audit of theirs links).
  const selfDocuments = (list) => {
    const take = editable && audit ? {
      taken: (i) => docsOf(data.evidence).some((x) => x.document === list[i].document),
      take: (i) => {
        const { document, version, pages } = list[i];
        docs.link({ ...list[i], document, version: version || undefined, pages: pages || undefined });
      },
    } : null;
    return h('div', { class: 'small', 'data-testid': 'self-documents' }, h('p', h('strong', 'Documents joints par la CAE :')),
      take ? h('p', { class: 'hint' }, 'Pour les ouvrir, joignez-les à votre constat.') : null,
      linkedList(list, { onTake: take }));
  };
  const selfSlot = (list) => {
    const slot = h('div', selfDocuments(list));
    redrawSelf = () => slot.replaceChildren(selfDocuments(list));
    return slot;
  };
  const aside = h('aside', { class: 'criterion-aside', 'aria-label': `Compléments pour ${c.id}` });
  if (audit && selfSide && selfSide.answers) {
    const s = selfSide.answers.get(c.id);
    add(aside, h('div', { class: 'self-answer', 'data-testid': 'self-answer' }, h('p', h('strong', 'Auto-évaluation de la CAE : ')),
      s ? [h('p', h('span', { class: ['badge', `answer-badge-${s.status}`] }, ANSWERS[s.status])),
        s.comment ? h('p', { class: 'small' }, s.comment) : null,
        textsOf(s.evidence).length ? h('ul', { class: 'small' }, textsOf(s.evidence).map((x) => h('li', entryText(x)))) : null,
        docsOf(s.evidence).length ? selfSlot(docsOf(s.evidence)) : null]
        : h('p', { class: 'muted' }, 'sans réponse')));
  }
  const gp = practices ? practices.filter((p) => p.criterion === c.id) : [];
  if (gp.length) {
    add(aside, h('div', { class: 'practices' }, h('p', h('strong', 'Bonnes pratiques du réseau')),
      h('ul', { class: 'small' }, gp.slice(0, 3).map((p) => h('li', p.text, h('span', { class: 'muted' }, ` — ${p.organisation}`)))),
      gp.length > 3 ? h('a', { href: `#/bonnes-pratiques?critere=${c.id}` }, 'Toutes les bonnes pratiques de ce critère') : null));
  }
  const el = h('article', { class: 'criterion', id: base, 'data-criterion': c.id, 'aria-labelledby': `${base}-title` }, main,
    aside.childNodes.length ? aside : null);

  return {
    el,
    setAnswer(next) {
      data = { ...next };
      if (!editable) return;
      paint();
      comment.value = data.comment || '';
      evidence.value = textsOf(data.evidence).map(entryText).join('\n');
      docs.draw(docsOf(data.evidence));
    },
    showState(e) {
      const text = {
        saved: 'Enregistré', saving: 'Enregistrement…', waiting: 'Modifications en attente…',
        local: 'Choisissez une réponse pour enregistrer ce commentaire ou ces documents.',
      }[e.state] || e.text;
      stateEl.dataset.state = e.state;
      stateEl.textContent = text;
      retry.hidden = !(e.state === 'error' || e.state === 'failed');
    },
  };
}

/* ---- audits: the internal stakeholders met -------------------------------------- */

function stakeholdersSection(a, editable) {
  const sec = h('section', { class: 'card', id: 'stakeholders', 'aria-labelledby': 'stakeholders-title' },
    h('h2', { id: 'stakeholders-title' }, 'Parties prenantes internes rencontrées'),
    h('p', { class: 'hint' }, 'La participation des parties prenantes internes (entrepreneurs-salariés, salariés permanents, associés) est une obligation du label : un audit sans elles ne peut pas conduire au label.'));
  if (!editable) {
    add(sec, a.stakeholders.length
      ? h('ul', a.stakeholders.map((p) => h('li', `${p.name} — ${p.role}`)))
      : h('p', { class: 'muted' }, 'Aucune partie prenante enregistrée.'));
    return sec;
  }
  const listId = newId('roles');
  const rows = h('ol', { class: 'stakeholder-rows' });
  const out = h('div', { 'aria-live': 'polite' });
  const addRow = (p = { name: '', role: '' }) => {
    const n = rows.children.length + 1;
    const name = h('input', { type: 'text', value: p.name, id: newId('sh-name'), autocomplete: 'off' });
    const role = h('input', { type: 'text', value: p.role, id: newId('sh-role'), list: listId, autocomplete: 'off' });
    const li = h('li', { class: 'stakeholder-row' },
      field(`Nom (personne ${n})`, name).wrap, field(`Qualité (personne ${n})`, role).wrap,
      h('button', { type: 'button', class: 'button-secondary small', onclick: () => { li.remove(); } }, `Retirer la personne ${n}`));
    add(rows, li);
    return name;
  };
  (a.stakeholders.length ? a.stakeholders : [{ name: '', role: '' }]).forEach((p) => addRow(p));
  const save = h('button', { type: 'button', class: 'button', id: 'save-stakeholders' }, 'Enregistrer les parties prenantes');
  save.addEventListener('click', () => busy(save, async () => {
    out.replaceChildren();
    const list = [...rows.querySelectorAll('.stakeholder-row')].map((li) => {
      const [n, r] = li.querySelectorAll('input');
      return { name: n.value.trim(), role: r.value.trim() };
    }).filter((p) => p.name || p.role);
    const incomplete = list.find((p) => !p.name || !p.role);
    if (incomplete) {
      add(out, message('error', 'Indiquez le nom et la qualité de chaque personne.'));
      return;
    }
    try {
      await api('PUT', `assessments/${a.id}/stakeholders`, list);
      add(out, message('success', `Enregistré : ${plural(list.length, 'partie prenante', 'parties prenantes')}.`));
    } catch (err) {
      if (err.status !== 401) add(out, errorBox(err));
    }
  }));
  add(sec, h('datalist', { id: listId }, STAKEHOLDER_ROLES.map((r) => h('option', { value: r }))), rows,
    h('p', h('button', { type: 'button', class: 'button-secondary', onclick: () => addRow().focus() }, 'Ajouter une personne')),
    out, save);
  return sec;
}

/* ---- submission ------------------------------------------------------------------ */

function submitSection(a, answers, total, saver, ctx) {
  const out = h('div', { 'aria-live': 'polite' });
  const confirmBox = h('div', { class: 'confirm', hidden: true });
  const label = a.kind === 'audit' ? 'Soumettre l’audit' : 'Soumettre l’auto-évaluation';
  const open = h('button', { type: 'button', class: 'button', id: 'submit-open' }, label);
  open.addEventListener('click', () => {
    out.replaceChildren();
    const n = saver.counts();
    if (n.saving || n.error || n.local) {
      add(out, message('error', 'Certaines réponses ne sont pas encore enregistrées : attendez « Enregistré » (ou réessayez) avant de soumettre.'));
      return;
    }
    const answered = [...answers.values()].filter((x) => x && x.status).length;
    const go = h('button', { type: 'button', class: 'button', id: 'submit-confirm' }, 'Confirmer la soumission');
    const cancel = h('button', { type: 'button', class: 'button-secondary' }, 'Annuler');
    confirmBox.replaceChildren(
      h('p', answered < total
        ? `Attention : ${total - answered} critères sont sans réponse ; le résultat sera « incomplet ». `
        : 'Tous les critères sont renseignés. ', 'Une fois soumise, l’évaluation ne peut plus être modifiée.'),
      h('p', { class: 'actions' }, go, cancel));
    confirmBox.hidden = false;
    go.focus();
    cancel.addEventListener('click', () => {
      confirmBox.hidden = true;
      open.focus();
    });
    go.addEventListener('click', () => busy(go, async () => {
      try {
        await api('POST', `assessments/${a.id}/submit`);
        announce('Évaluation soumise.');
        ctx.navigate(`#/evaluations/${a.id}/resultats`);
      } catch (err) {
        if (err.status !== 401) add(out, errorBox(err));
      }
    }));
  });
  return h('section', { class: 'card submit', 'aria-labelledby': 'submit-title' }, h('h2', { id: 'submit-title' }, 'Soumettre'),
    h('p', a.kind === 'audit'
      ? 'Soumettez l’audit lorsque tous les constats et les parties prenantes sont enregistrés : il sera transmis au Comité de labellisation.'
      : 'Soumettez l’auto-évaluation pour figer ses résultats : ils alimenteront votre plan d’action.'),
    open, confirmBox, out);
}
