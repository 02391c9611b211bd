// documents: a CAE's library of evidence documents (its page), and the pieces
// the criterion cards share with it: a file picker with drag and drop, an
// upload with its progress and a retry after a network failure, the list of
// the documents an answer links, and the small picker of the library.
import { api, apiUpload, apiUrl } from '../api.js';
import { h, add, field, newId } from '../dom.js';
import { frDate, frSize, docType, plural, DOC_ACCEPTED } from '../i18n.js';
import { pageTitle, message, errorBox, announce, busy, confirmAction, table, listChanged, shorten } from '../ui.js';

/* ---- evidence entries: a text reference, or a linked document ------------------ */

/** Whether an evidence entry names a document ({"document": ID, ...}) rather than a text. */
export function isDocEntry(x) {
  return !!x && typeof x === 'object' && Number.isInteger(x.document);
}

/** The entry as the API takes it in an answer: the text, or {document, version?, pages?}. */
export function wireEntry(x) {
  if (!isDocEntry(x)) return x;
  const out = { document: x.document };
  if (x.version) out.version = x.version;
  if (x.pages) out.pages = x.pages;
  return out;
}

/** A text for an evidence entry that is no document (an older shape shown as it is). */
export function entryText(x) {
  if (typeof x === 'string') return x;
  if (x && typeof x === 'object' && typeof x.text === 'string') return x.criterion ? `${x.criterion} : ${x.text}` : x.text;
  return JSON.stringify(x);
}

// The metadata of documents, fetched once per page load (GET /documents/{id}).
const metas = new Map();
function docMeta(id) {
  if (!metas.has(id)) {
    const p = api('GET', `documents/${id}`).catch((err) => {
      metas.delete(id);
      throw err;
    });
    metas.set(id, p);
  }
  return metas.get(id);
}

const INLINE = new Set(['application/pdf', 'image/png', 'image/jpeg']);

/** The link that opens a document's version (the latest without version): a new tab for PDF and images, else a download. */
export function openLink(id, version, { type, filename, text, hidden } = {}) {
  const path = `documents/${id}/content${version ? `?version=${version}` : ''}`;
  const inline = INLINE.has(type);
  return h('a', {
    href: apiUrl(path), class: 'doc-open', 'data-document': id,
    target: inline ? '_blank' : null, rel: inline ? 'noopener' : null, download: inline ? null : (filename || ''),
  }, text, h('span', { class: 'visually-hidden' }, hidden || (inline ? ' (s’ouvre dans un nouvel onglet)' : ' (téléchargement)')));
}

/** "PDF · 12 Ko · 7 décembre 2026" for a document or one of its versions. */
function metaLine(d) {
  return [docType(d.type), frSize(d.size), frDate(d.created_at)].join(' · ');
}

/**
 * The documents an answer links, as a list: the title opens the version
 * linked, then its type, size and date, the version and the pages; a
 * "Retirer" button each when onRemove is given, the SHA-256 of the bytes
 * with hashes (what a decision saw); a "Joindre à mon constat" button for
 * the entries onTake(i) is a function for (it returns whether it is taken). Metadata the answer lacks
 * is fetched (GET /documents/{id}); a document the reader may not see
 * stays listed by its number.
 */
export function linkedList(entries, { onRemove, hashes, onTake } = {}) {
  const ul = h('ul', { class: 'doc-list' });
  entries.forEach((x, i) => {
    const li = h('li', { class: 'doc-item', 'data-document': x.document });
    const draw = (d) => {
      const title = (d && d.title) || x.title || `Document n° ${x.document}`;
      const info = d || x;
      const which = x.version ? `version ${x.version}`
        : `dernière version${x.resolved_version ? ` (${x.resolved_version})` : ''}`;
      const v = x.version && d && d.versions ? d.versions.find((y) => y.version === x.version) : null;
      const shown = v ? { ...info, ...v } : info;
      li.replaceChildren();
      add(li,
        h('span', { class: 'doc-title' }, openLink(x.document, x.version, { type: shown.type, filename: shown.filename, text: title })),
        h('span', { class: 'doc-meta' }, shown.size !== undefined && shown.size !== null ? `${metaLine(shown)} · ${which}` : which,
          x.pages ? ` · pages ${x.pages}` : '', x.available === false ? h('strong', ' · document introuvable') : '',
          hashes && (x.sha256 || shown.sha256) ? [' · SHA-256 ', h('code', { class: 'hash' }, x.sha256 || shown.sha256)] : ''),
        onRemove ? h('button', { type: 'button', class: 'button-secondary small', 'data-action': 'unlink', onclick: () => onRemove(i) },
          'Retirer', h('span', { class: 'visually-hidden' }, ` le document « ${title} »`)) : null,
        takeButton(onTake, i, title));
    };
    // the answer's own metadata (the server adds it to each link), else GET /documents/{id}
    const told = x.title && x.size !== undefined && (!x.version || x.resolved_version);
    draw(told ? x : null);
    if (!told) docMeta(x.document).then(draw).catch(() => {});
    add(ul, li);
  });
  return ul;
}

/** "Joindre à mon constat" for the i-th entry, or "joint à votre constat" once it is. */
function takeButton(onTake, i, title) {
  if (!onTake) return null;
  const taken = h('span', { class: 'doc-taken' }, 'joint à votre constat');
  if (onTake.taken(i)) return taken;
  const b = h('button', { type: 'button', class: 'button-secondary small', 'data-action': 'take-document' },
    'Joindre à mon constat', h('span', { class: 'visually-hidden' }, ` le document « ${title} »`));
  b.addEventListener('click', () => {
    onTake.take(i);
    b.replaceWith(taken);
  });
  return b;
}

/* ---- choosing a file: a button, or drag and drop --------------------------------- */

/** A file's name without its extension, one line, at most 200 characters: a title to start from. */
export function titleOf(file) {
  const name = file.name.replace(/\.[^.]{1,8}$/, '').replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/[_]+/g, ' ').trim();
  return (name || file.name || 'Document').slice(0, 200);
}

/**
 * A drop zone with its "Choisir un fichier" button (the keyboard's way, the
 * file input itself stays hidden): onFile(file) for the file picked or
 * dropped. zone: the element that takes drops (the drop zone by default).
 */
export function filePicker(onFile, { label = 'Choisir un fichier', hint = 'ou glissez-déposez-le ici', zone, inputId } = {}) {
  const input = h('input', { type: 'file', hidden: true, tabindex: '-1', id: inputId || newId('file'), 'data-no-draft': '' });
  const button = h('button', { type: 'button', class: 'button-secondary small', 'data-action': 'pick-file' }, label);
  button.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const f = input.files && input.files[0];
    input.value = '';
    if (f) onFile(f);
  });
  const el = h('div', { class: 'dropzone' }, button, ' ', h('span', { class: 'hint' }, hint), input);
  acceptDrops(zone || el, onFile);
  return { el, input, button };
}

const isFile = (ev) => ev.dataTransfer && [...ev.dataTransfer.types].includes('Files');

// A file dropped beside a drop zone would make the browser leave the page
// for the file, and answers not yet saved with it: the window refuses it.
let guarded = false;
function guardWindow() {
  if (guarded) return;
  guarded = true;
  for (const type of ['dragover', 'drop']) {
    window.addEventListener(type, (ev) => {
      if (!isFile(ev) || ev.defaultPrevented) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'none';
    });
  }
}

/** Makes target take a file dropped on it (highlighted while one is dragged over). */
export function acceptDrops(target, onFile) {
  guardWindow();
  let depth = 0;
  target.addEventListener('dragenter', (ev) => {
    if (!isFile(ev)) return;
    ev.preventDefault();
    depth += 1;
    target.classList.add('drag-over');
  });
  target.addEventListener('dragover', (ev) => {
    if (!isFile(ev)) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = 'copy';
  });
  target.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) target.classList.remove('drag-over');
  });
  target.addEventListener('drop', (ev) => {
    if (!isFile(ev)) return;
    ev.preventDefault();
    depth = 0;
    target.classList.remove('drag-over');
    const f = ev.dataTransfer.files[0];
    if (f) onFile(f);
  });
}

/* ---- an upload with its progress --------------------------------------------------- */

/**
 * Sends file (with fields) to path, showing in out its progress, a button to
 * stop it and, after a network failure, one to send it again; a refusal is
 * said in French (too large and the limit, a type refused and the types
 * accepted, a virus found). Resolves the server's answer, or null when the
 * upload was refused or stopped.
 */
export async function uploadFile(out, path, file, fields = {}) {
  for (;;) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', file, file.name);
    const stop = new AbortController();
    const bar = h('progress', { max: file.size || 1, value: 0, id: newId('upload') });
    const text = h('span', { class: 'upload-text' }, `0 sur ${frSize(file.size)}`);
    const cancel = h('button', { type: 'button', class: 'button-secondary small', onclick: () => stop.abort() }, 'Arrêter l’envoi');
    out.replaceChildren(h('div', { class: 'upload', 'data-testid': 'upload-progress' },
      h('label', { for: bar.id }, `Envoi de « ${file.name} »`), h('span', { class: 'upload-line' }, bar, text, cancel)));
    announce(`Envoi de « ${file.name} » commencé.`);
    try {
      const d = await apiUpload(path, form, {
        signal: stop.signal,
        onProgress: (sent, total) => {
          bar.max = total || file.size || 1;
          bar.value = sent;
          text.textContent = `${Math.floor((100 * sent) / (total || file.size || 1))} % — ${frSize(sent)} sur ${frSize(total || file.size)}`;
        },
      });
      out.replaceChildren();
      return d;
    } catch (err) {
      if (err.code === 'aborted') {
        out.replaceChildren(message('info', `Envoi de « ${file.name} » arrêté.`));
        return null;
      }
      if (err.status === 401) {
        out.replaceChildren();
        return null;
      }
      out.replaceChildren(errorBox(err));
      announce(`Envoi de « ${file.name} » refusé ou interrompu.`);
      if (err.status !== 0 && err.status < 500 && err.status !== 429) return null;
      // the network failed, or the server was busy: the same file again, when asked
      const again = h('button', { type: 'button', class: 'button small', 'data-action': 'retry-upload' }, 'Réessayer l’envoi');
      const drop = h('button', { type: 'button', class: 'button-secondary small' }, 'Abandonner');
      add(out, h('p', { class: 'actions' }, again, drop));
      again.focus();
      const retry = await new Promise((done) => {
        again.addEventListener('click', () => done(true));
        drop.addEventListener('click', () => done(false));
      });
      if (!retry) {
        out.replaceChildren();
        return null;
      }
    }
  }
}

/* ---- the library page ---------------------------------------------------------------- */

/** Whether user may change organisation org's library (its own members; the server checks too). */
function canEditLibrary(user, org) {
  return user.role === 'cae' && user.organisation_id === org;
}

/** The versions of a document, fetched when its list is unfolded: each opens. */
function versionsCell(d) {
  if (d.version <= 1) return '1';
  const list = h('ul', { class: 'doc-versions' });
  const box = h('details', { class: 'versions' }, h('summary', plural(d.version, 'version', 'versions')), list);
  box.addEventListener('toggle', async () => {
    if (!box.open || list.childNodes.length) return;
    add(list, h('li', { class: 'loading' }, 'Chargement…'));
    try {
      const full = await docMeta(d.id);
      list.replaceChildren(...(full.versions || []).slice().reverse().map((v) => h('li',
        openLink(d.id, v.version, { type: v.type, filename: v.filename, text: `Version ${v.version}` }),
        ` — ${v.filename}, ${frSize(v.size)}, ${frDate(v.created_at)}`)));
    } catch (err) {
      list.replaceChildren(h('li', errorBox(err)));
    }
  });
  return box;
}

export async function library(view, ctx) {
  const org = ctx.params.id;
  const [o, docs] = await Promise.all([api('GET', `organisations/${org}`), api('GET', `organisations/${org}/documents`)]);
  if (!ctx.isCurrent()) return;
  const editable = canEditLibrary(ctx.user, org);
  pageTitle(view, `Documents — ${o.name}`,
    'Les pièces justificatives de la CAE (statuts, procès-verbaux, contrats, bilans…) : déposées une fois, elles se joignent ensuite aux critères des évaluations.');
  const listOut = h('div', { 'aria-live': 'polite' });
  const listBox = h('div', { 'data-testid': 'library' });
  let current = docs;

  const refresh = async () => {
    current = await api('GET', `organisations/${org}/documents`);
    metas.clear();
    drawList();
  };
  const drawList = () => {
    if (!current.length) {
      listBox.replaceChildren(h('p', { class: 'muted' }, 'Aucun document pour l’instant.'));
      return;
    }
    listBox.replaceChildren(table('Les documents de la CAE', ['Titre', 'Type', 'Taille', 'Date', 'Versions', 'Actions'],
      current.map((d) => [
        openLink(d.id, null, { type: d.type, filename: d.filename, text: d.title }),
        docType(d.type), frSize(d.size), frDate(d.updated_at || d.created_at), versionsCell(d),
        editable ? rowActions(d) : h('span', { class: 'muted' }, '—')])));
    for (const tr of listBox.querySelectorAll('tbody tr')) tr.dataset.document = tr.querySelector('a[data-document]').dataset.document;
  };

  // a row's new version and deletion
  const rowActions = (d) => {
    const out = h('div', { class: 'row-out', 'aria-live': 'polite' });
    const picker = filePicker(async (file) => {
      const v = await uploadFile(out, `documents/${d.id}/versions`, file);
      if (v) await listChanged(listOut, `Version ${v.version} de « ${d.title} » ajoutée.`, refresh, () => rowOf(d.id, 'a'));
    }, { label: 'Nouvelle version', hint: '' });
    picker.button.append(h('span', { class: 'visually-hidden' }, ` de « ${d.title} »`));
    const [del, confirm] = confirmAction({
      label: 'Supprimer', hidden: ` « ${d.title} »`, question: `Supprimer « ${d.title} » et toutes ses versions ?`,
      yes: 'Supprimer', action: 'delete-document',
    }, (yes) => busy(yes, async () => {
      out.replaceChildren();
      try {
        await api('DELETE', `documents/${d.id}`);
        announce(`« ${d.title} » supprimé.`);
        await listChanged(listOut, `« ${d.title} » a été supprimé.`, refresh, () => null);
      } catch (err) {
        if (err.status !== 401) out.replaceChildren(errorBox(err));
      }
    }));
    return h('div', { class: 'doc-actions' }, h('span', { class: 'actions' }, picker.el, del, confirm), out);
  };
  const rowOf = (id, sel) => listBox.querySelector(`tr[data-document="${id}"] ${sel}`);

  if (editable) add(view, uploadForm(org, listOut, refresh, rowOf));
  add(view, h('section', { class: 'card', 'aria-labelledby': 'library-title' },
    h('h2', { id: 'library-title' }, 'La bibliothèque'), listOut, listBox));
  drawList();
}

/** The form that adds a document to the library: a file (picked or dropped) and its title. */
function uploadForm(org, listOut, refresh, rowOf) {
  let file = null;
  const out = h('div', { 'aria-live': 'polite' });
  const chosen = h('p', { class: 'chosen', id: 'document-chosen' }, 'Aucun fichier choisi.');
  const title = h('input', { type: 'text', id: 'document-title', maxlength: 200, autocomplete: 'off', 'data-no-draft': '' });
  const send = h('button', { type: 'submit', class: 'button', id: 'document-send' }, 'Ajouter à la bibliothèque');
  const choose = (f) => {
    file = f;
    chosen.textContent = `Fichier choisi : ${f.name} (${frSize(f.size)}).`;
    if (!title.value.trim() || title.dataset.auto === 'yes') {
      title.value = titleOf(f);
      title.dataset.auto = 'yes';
    }
    out.replaceChildren();
    announce(`Fichier choisi : ${f.name}.`);
  };
  title.addEventListener('input', () => { title.dataset.auto = 'no'; });
  const picker = filePicker(choose, { inputId: 'document-file' });
  const form = h('form', { class: 'form', novalidate: true },
    h('div', { class: 'field' }, h('span', { class: 'label-like' }, 'Fichier'), picker.el, chosen),
    field('Titre', title, 'Repris du nom du fichier : modifiez-le au besoin (200 caractères au plus).').wrap,
    h('p', { class: 'hint' }, `Formats acceptés : ${DOC_ACCEPTED}.`),
    out, h('p', send));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!file) {
      out.replaceChildren(message('error', 'Choisissez d’abord un fichier.'));
      picker.button.focus();
      return;
    }
    if (!title.value.trim()) {
      out.replaceChildren(message('error', 'Donnez un titre au document.'));
      title.focus();
      return;
    }
    busy(send, async () => {
      const d = await uploadFile(out, `organisations/${org}/documents`, file, { title: title.value.trim() });
      if (!d) return;
      file = null;
      title.value = '';
      title.dataset.auto = 'yes';
      chosen.textContent = 'Aucun fichier choisi.';
      await listChanged(listOut, `« ${d.title} » a été ajouté à la bibliothèque.`, refresh, () => rowOf(d.id, 'a'));
    });
  });
  return h('section', { class: 'card', 'aria-labelledby': 'upload-title' }, h('h2', { id: 'upload-title' }, 'Ajouter un document'), form);
}

/* ---- a criterion card's documents ---------------------------------------------------- */

/**
 * The documents of an answer on its criterion card: the list, and when
 * editable "Joindre un document": a file uploaded to the library of org
 * (picked, or dropped anywhere on the block), or one chosen in the library,
 * with optional pages (the library's picker unless library is false: an
 * auditor never lists the library). onLink(entry) adds {document, version?, pages?, and
 * the metadata to show}; onUnlink(i) removes the i-th linked document.
 * Returns {el, draw(entries), link(entry)}.
 */
export function cardDocuments({ criterion, org, entries, editable, library = true, onLink, onUnlink }) {
  const listSlot = h('div', { class: 'doc-slot' });
  const block = h('div', { class: 'docs', 'data-testid': 'card-documents' },
    h('p', { class: 'docs-head' }, h('strong', 'Documents joints')), listSlot);
  const draw = (list) => {
    listSlot.replaceChildren(list.length ? linkedList(list, { onRemove: editable ? onUnlink : null })
      : h('p', { class: 'muted small' }, 'Aucun document joint.'));
  };
  draw(entries);
  if (!editable) return { el: block, draw, link: onLink };

  const panelId = `${criterion}-attach`;
  const open = h('button', { type: 'button', class: 'button-secondary small', 'aria-expanded': 'false', 'aria-controls': panelId,
    'data-action': 'attach' }, 'Joindre un document', h('span', { class: 'visually-hidden' }, ` au critère ${criterion}`));
  const panel = h('div', { class: 'attach-panel', id: panelId, hidden: true });
  const out = h('div', { class: 'attach-out', 'aria-live': 'polite' });
  let pages = null;
  let loadLibrary = () => {};
  const pagesOf = () => (pages && pages.value.trim()) || undefined;

  const uploadAndLink = async (file) => {
    const d = await uploadFile(out, `organisations/${org}/documents`, file, { title: titleOf(file) });
    if (!d) return;
    onLink({ document: d.id, pages: pagesOf(), title: d.title, size: d.size, type: d.type, created_at: d.created_at, filename: d.filename });
    out.replaceChildren(message('success', `« ${d.title} » a été ajouté à la bibliothèque et joint au critère ${criterion}.`));
    if (pages) pages.value = '';
    loadLibrary();
  };
  acceptDrops(block, uploadAndLink);

  const build = () => {
    pages = h('input', { type: 'text', id: `${criterion}-pages`, maxlength: 50, autocomplete: 'off', class: 'pages', 'data-no-draft': '' });
    const picker = filePicker(uploadAndLink, { label: 'Choisir un fichier', inputId: `${criterion}-file` });
    const select = h('select', { id: `${criterion}-library`, 'data-no-draft': '' }, h('option', { value: '' }, 'Chargement de la bibliothèque…'));
    const version = h('select', { id: `${criterion}-version`, 'data-no-draft': '' }, h('option', { value: '' }, 'La dernière version'));
    const link = h('button', { type: 'button', class: 'button-secondary small', 'data-action': 'link-document' }, 'Joindre ce document');
    let docs = [];
    select.addEventListener('change', () => {
      const d = docs.find((x) => String(x.id) === select.value);
      version.replaceChildren(h('option', { value: '' }, 'La dernière version'),
        ...(d ? Array.from({ length: d.version }, (_, i) => d.version - i).map((n) => h('option', { value: n }, `Version ${n}`)) : []));
    });
    link.addEventListener('click', () => {
      const d = docs.find((x) => String(x.id) === select.value);
      if (!d) {
        out.replaceChildren(message('error', 'Choisissez un document de la bibliothèque.'));
        select.focus();
        return;
      }
      const v = Number(version.value) || undefined;
      onLink({ document: d.id, version: v, pages: pagesOf(), title: d.title, size: v ? undefined : d.size, type: d.type,
        created_at: v ? undefined : d.updated_at || d.created_at, filename: d.filename });
      out.replaceChildren(message('success', `« ${d.title} » est joint au critère ${criterion}.`));
      pages.value = '';
    });
    // the library, read when the panel opens and again after an upload from it
    loadLibrary = () => api('GET', `organisations/${org}/documents`).then((list) => {
      const keep = select.value;
      docs = list;
      select.replaceChildren(h('option', { value: '' }, list.length ? 'Choisissez un document' : 'La bibliothèque est vide'),
        ...list.map((d) => h('option', { value: d.id }, `${d.title} (${docType(d.type)}, ${frSize(d.size)})`)));
      select.value = keep;
    }).catch((err) => {
      select.replaceChildren(h('option', { value: '' }, 'Bibliothèque indisponible'));
      if (err.status === 403) {
        out.replaceChildren(message('info', 'La bibliothèque de la CAE ne vous est pas accessible : joignez un nouveau fichier.'));
      } else if (err.status !== 401) {
        add(out, errorBox(err));
      }
    });
    if (library) loadLibrary();
    else loadLibrary = () => {};
    panel.replaceChildren();
    add(panel,
      field('Pages concernées (facultatif)', pages, 'Par exemple : 3-5').wrap,
      h('div', { class: 'field' }, h('span', { class: 'label-like' }, 'Un nouveau fichier, ajouté à la bibliothèque de la CAE'), picker.el),
      library ? h('div', { class: 'attach-library' }, field('Ou un document de la bibliothèque', select).wrap,
        h('div', { class: 'attach-version' }, field('Version', version).wrap, h('p', link))) : null);
  };
  open.addEventListener('click', () => {
    const opening = panel.hidden;
    if (opening && !panel.childNodes.length) build();
    panel.hidden = !opening;
    open.setAttribute('aria-expanded', String(opening));
    if (opening) panel.querySelector('button').focus();
  });
  add(block, h('p', { class: 'docs-actions' }, open), panel, out);
  return { el: block, draw, link: onLink };
}

/**
 * The documents an assessment's answers link, criterion by criterion, with
 * their SHA-256 (the committee, and the CAE on its results, open them).
 */
export function documentsSeen(a, ref, { title, none }) {
  const rows = a.answers.map((x) => ({ criterion: x.criterion, docs: (x.evidence || []).filter(isDocEntry) })).filter((x) => x.docs.length);
  const sec = h('section', { class: 'card', 'aria-labelledby': 'docs-seen', 'data-testid': 'documents-seen' },
    h('h2', { id: 'docs-seen' }, title));
  if (!rows.length) {
    add(sec, h('p', { class: 'muted' }, none));
    return sec;
  }
  add(sec, h('ul', { class: 'docs-by-criterion' }, rows.map((x) => {
    const c = ref.byId.get(x.criterion);
    return h('li', { 'data-criterion': x.criterion }, h('strong', x.criterion), c ? ` — ${shorten(c.statement, 90)}` : '', linkedList(x.docs, { hashes: true }));
  })));
  return sec;
}
