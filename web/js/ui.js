// ui: shared pieces of the pages (titles, messages, badges, progress bars).
import { h, add } from './dom.js';
import { roleName, errorText, LEVELS, LABEL_STATUS, OUTCOMES, DECISIONS, ASSESSMENT_STATUS, ASSESSMENT_STATUS_F } from './i18n.js';

/** Announces text to screen readers through the polite live region. */
export function announce(text) {
  const live = document.getElementById('live');
  if (!live) return;
  live.textContent = '';
  setTimeout(() => {
    live.textContent = text;
  }, 30);
}

/** The page title: the <h1>, the document title, focus for screen readers. */
export function pageTitle(view, title, lead) {
  document.title = `${title} — LABEL CPE`;
  const h1 = h('h1', { tabindex: '-1', id: 'page-title' }, title);
  add(view, h1);
  if (lead) add(view, h('p', { class: 'lead' }, lead));
  return h1;
}

/** The server's own words, folded: people read the French above; support may unfold them. */
function technicalDetail(detail) {
  return h('details', { class: 'detail' }, h('summary', 'Détail technique'), h('code', detail));
}

/** A message box; kind is info, success, warning or error. */
export function message(kind, text, detail) {
  return h('div', { class: ['message', `message-${kind}`], role: kind === 'error' ? 'alert' : 'status' },
    h('p', text), detail ? technicalDetail(detail) : null);
}

export function errorBox(err) {
  const { text, detail } = errorText(err);
  return message('error', text, detail);
}

/** Replaces the view with a French "accès refusé" / "introuvable" / error page. */
export function failPage(view, err) {
  while (view.firstChild) view.firstChild.remove();
  if (err && err.status === 403) {
    pageTitle(view, 'Accès refusé');
    add(view, message('error', 'Accès refusé : cette page concerne une autre organisation ou un autre rôle que le vôtre.',
      err.apiMessage), h('p', h('a', { href: '#/' }, 'Revenir à mon accueil')));
  } else if (err && err.status === 404) {
    pageTitle(view, 'Page introuvable');
    add(view, errorBox(err), h('p', h('a', { href: '#/' }, 'Revenir à l’accueil')));
  } else if (err && err.status === 401) {
    pageTitle(view, 'Session expirée');
    add(view, message('info', 'Votre session a expiré : reconnectez-vous.'));
  } else {
    pageTitle(view, 'Erreur');
    add(view, errorBox(err));
  }
}

export function levelBadge(level) {
  return h('span', { class: ['badge', `level-${level}`] }, LEVELS[level] || level);
}

export function labelBadge(status) {
  return h('span', { class: ['badge', `label-${status}`] }, LABEL_STATUS[status] || status);
}

export function outcomeBadge(outcome) {
  return h('span', { class: ['badge', `outcome-${outcome}`] }, OUTCOMES[outcome] || DECISIONS[outcome] || outcome);
}

export function statusBadge(status, kind) {
  const words = kind === 'self_assessment' ? ASSESSMENT_STATUS_F : ASSESSMENT_STATUS;
  return h('span', { class: ['badge', `status-${status}`] }, words[status] || status);
}

/** A labelled progress bar (role=progressbar with text). */
export function progressBar(done, total, label) {
  const pct = total ? Math.round((done / total) * 100) : 0;
  const fill = h('span', { class: 'progress-fill' });
  fill.style.width = `${pct}%`;
  const bar = h('span', {
    class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': total,
    'aria-valuenow': done, 'aria-valuetext': `${done} sur ${total}`, 'aria-label': label,
  }, fill);
  return bar;
}

export function loading(view) {
  add(view, h('p', { class: 'loading', role: 'status' }, 'Chargement…'));
}

/** A small table: headers, rows of cells; caption for screen readers. */
export function table(caption, headers, rows, { captionVisible = false } = {}) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', { class: captionVisible ? null : 'visually-hidden' }, caption),
    h('thead', h('tr', headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', rows.map((r) => h('tr', r.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell)
      : h('td', { 'data-label': typeof headers[i] === 'string' ? headers[i] : '' }, cell))))))));
}

/**
 * After a form changed a list on the page: the success text in the live
 * region out above the list, then the list fetched and drawn again in place
 * by refresh() (the rest of the page, and so the message, stay), then the
 * focus on the control that row() finds in the changed row. Keyboard and
 * screen-reader users land where the change shows; when the row is not there
 * (or the list could not be fetched) the focus goes to the message.
 */
export async function listChanged(out, text, refresh, row) {
  const said = message('success', text);
  said.tabIndex = -1;
  out.replaceChildren(said);
  try {
    await refresh();
  } catch (err) {
    // a 401 brings the login page back: nothing is left here to focus
    if (err.status === 401) return;
    add(out, errorBox(err));
  }
  (row() || said).focus();
}

/** "abc…" for long texts in lists. */
export function shorten(text, n = 140) {
  return text && text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

/** Disables a button while fn runs; shows errors in target. */
export async function busy(button, fn) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/**
 * A destructive action that asks first: the button (its accessible name ends
 * with hidden, e.g. " https://…"), then "question [yes] [Annuler]" in its
 * place; run(yesButton) on the confirmation. Returns the two elements to put
 * side by side; data-action is action, then confirm-action.
 */
export function confirmAction({ label, hidden, question, yes: yesLabel, action }, run) {
  const open = h('button', { type: 'button', class: 'button-secondary small danger', 'data-action': action }, label,
    h('span', { class: 'visually-hidden' }, hidden));
  const yes = h('button', { type: 'button', class: 'button small danger-solid', 'data-action': `confirm-${action}` }, yesLabel);
  const no = h('button', { type: 'button', class: 'button-secondary small' }, 'Annuler');
  const box = h('span', { class: 'confirm-inline', hidden: true }, `${question} `, yes, ' ', no);
  open.addEventListener('click', () => {
    box.hidden = false;
    open.hidden = true;
    no.focus();
  });
  no.addEventListener('click', () => {
    box.hidden = true;
    open.hidden = false;
    open.focus();
  });
  yes.addEventListener('click', () => run(yes));
  return [open, box];
}

export function today() {
  const d = new Date();
  const p = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * The roles a person may act in (those not awaiting confirmation); the
 * header's switcher shows when there are two or more.
 */
export function heldRoles(user) {
  return ((user && user.roles) || []).filter((r) => r.role !== 'none');
}

/**
 * The header's role switcher: a labelled select of the person's roles, the
 * one the session acts in selected; onSwitch(role) on a change. Null for a
 * person holding one role.
 */
export function roleSwitcher(user, onSwitch) {
  const roles = heldRoles(user);
  if (roles.length < 2) return null;
  const select = h('select', { id: 'role-switch', 'data-no-draft': '' },
    roles.map((r) => h('option', { value: r.role, selected: r.role === user.role }, roleName(r.role))));
  select.addEventListener('change', () => onSwitch(select.value, select));
  return h('span', { class: 'role-switch' }, h('label', { for: select.id }, 'Agir en tant que'), select);
}
