// reports: the report scripts with their parameters, viewed as HTML or
// downloaded as CSV or JSON; the audit report and the label certificate as
// PDF. Endpoints: GET /reports, GET /reports/NAME?format=..., GET
// /assessments, GET /assessments/{id}, GET /assessments/{id}/report.pdf and
// /certificate.pdf.
import { api, apiFile, apiUrl, saveBlob } from '../api.js';
import { h, field, add } from '../dom.js';
import { frDate } from '../i18n.js';
import { pageTitle, message, errorBox, table, busy, announce, statusBadge, today } from '../ui.js';

const AUDIENCE = { cae: 'Pour les CAE (sur leur propre CAE)', committee: 'Pour le Comité et l’administration' };

function paramControl(report, p, orgs, user) {
  const id = `report-${report.name}-${p.name}`;
  let control;
  if (p.name === 'org' && orgs) {
    const mine = user.role === 'cae' ? orgs.filter((o) => o.id === user.organisation_id) : orgs;
    control = h('select', { id, name: p.name, required: !!p.required },
      user.role === 'cae' ? null : h('option', { value: '' }, 'Choisir une CAE'),
      mine.map((o) => h('option', { value: o.id }, o.name)));
  } else if (p.type === 'date') {
    control = h('input', { type: 'date', id, name: p.name, required: !!p.required });
  } else if (p.type === 'integer' || p.type === 'number') {
    control = h('input', { type: 'number', id, name: p.name, min: 1, step: 1, inputmode: 'numeric', required: !!p.required });
  } else {
    control = h('input', { type: 'text', id, name: p.name, required: !!p.required, autocomplete: 'off' });
  }
  return field(`${p.label || p.name}${p.required ? ' (obligatoire)' : ''}`, control).wrap;
}

function reportCard(report, orgs, user) {
  const params = report.params || [];
  const out = h('div', { 'aria-live': 'polite' });
  const preview = h('div', { class: 'report-preview' });
  const form = h('form', { class: 'form grid-form', novalidate: true, 'data-report': report.name },
    params.map((p) => paramControl(report, p, orgs, user)));
  const query = () => {
    const q = new URLSearchParams();
    for (const p of params) {
      const el = form.querySelector(`[name="${p.name}"]`);
      if (el && el.value.trim()) q.set(p.name, el.value.trim());
    }
    return q;
  };
  const check = () => {
    for (const p of params) {
      const el = form.querySelector(`[name="${p.name}"]`);
      if (p.required && el && !el.value.trim()) {
        add(out, message('error', `Renseignez « ${p.label || p.name} ».`));
        el.focus();
        return false;
      }
    }
    return true;
  };
  const run = async (button, format) => {
    out.replaceChildren();
    if (!check()) return;
    const q = query();
    q.set('format', format);
    const path = `reports/${encodeURIComponent(report.name)}?${q}`;
    await busy(button, async () => {
      try {
        const f = await apiFile(path, `${report.name}-${today()}.${format}`);
        if (format === 'html') {
          // The report is a full HTML page: shown in a frame (its own styles
          // apply) and offered in a new tab; both read the same API URL.
          const url = apiUrl(path);
          preview.replaceChildren(
            h('p', h('a', { href: url, target: '_blank', rel: 'noopener', class: 'button-secondary', 'data-testid': 'report-open' }, 'Ouvrir le rapport dans un nouvel onglet')),
            h('iframe', { src: url, title: `Rapport : ${report.title}`, class: 'report-frame', loading: 'lazy' }));
          announce(`Rapport « ${report.title} » affiché.`);
        } else {
          saveBlob(f.blob, f.filename);
          add(out, message('success', `Fichier ${format.toUpperCase()} téléchargé : ${f.filename}.`));
        }
      } catch (err) {
        if (err.status === 400) add(out, message('error', 'Le rapport refuse ces paramètres.', err.apiMessage));
        else if (err.status !== 401) add(out, errorBox(err));
      }
    });
  };
  const view = h('button', { type: 'submit', class: 'button', 'data-format': 'html' }, 'Voir', h('span', { class: 'visually-hidden' }, ` le rapport ${report.title}`));
  const csv = h('button', { type: 'button', class: 'button-secondary', 'data-format': 'csv' }, 'Télécharger en CSV', h('span', { class: 'visually-hidden' }, ` : ${report.title}`));
  const json = h('button', { type: 'button', class: 'button-secondary', 'data-format': 'json' }, 'Télécharger en JSON', h('span', { class: 'visually-hidden' }, ` : ${report.title}`));
  csv.addEventListener('click', () => run(csv, 'csv'));
  json.addEventListener('click', () => run(json, 'json'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run(view, 'html');
  });
  add(form, h('p', { class: 'actions' }, view, csv, json), out);
  const titleId = `report-title-${report.name}`;
  return h('section', { class: 'card report', 'aria-labelledby': titleId, 'data-testid': `report-${report.name}` },
    h('h2', { id: titleId }, report.title || report.name),
    h('p', report.description || ''),
    h('p', { class: 'hint' }, AUDIENCE[report.audience] || report.audience, ' · ', h('code', report.name), ' · le CSV utilise le point-virgule comme séparateur (Excel, LibreOffice).'),
    form, preview);
}

async function documentsSection(user) {
  const list = (await api('GET', 'assessments')).filter((x) => x.kind === 'audit' && x.status !== 'draft')
    .sort((x, y) => y.id - x.id).slice(0, 50);
  const decided = await Promise.all(list.map((x) => (x.status === 'decided' ? api('GET', `assessments/${x.id}`).catch(() => null) : null)));
  const out = h('div', { 'aria-live': 'polite' });
  const download = (button, path, name) => busy(button, async () => {
    out.replaceChildren();
    try {
      const f = await apiFile(path, name);
      saveBlob(f.blob, f.filename);
      add(out, message('success', `Document téléchargé : ${f.filename}.`));
    } catch (err) {
      if (err.status === 409) add(out, message('error', 'Ce document n’existe pas pour cet audit.', err.apiMessage));
      else if (err.status !== 401) add(out, errorBox(err));
    }
  });
  const rows = list.map((x, i) => {
    const full = decided[i];
    const awarded = full && (full.decisions || []).some((d) => d.outcome === 'awarded');
    const rep = h('button', { type: 'button', class: 'button-secondary small', 'data-doc': 'report', 'data-audit': x.id },
      'Rapport d’audit (PDF)', h('span', { class: 'visually-hidden' }, ` — ${x.organisation}, audit n° ${x.id}`));
    rep.addEventListener('click', () => download(rep, `assessments/${x.id}/report.pdf`, `rapport-audit-${x.id}.pdf`));
    let cert = null;
    if (awarded) {
      cert = h('button', { type: 'button', class: 'button-secondary small', 'data-doc': 'certificate', 'data-audit': x.id },
        'Certificat du label (PDF)', h('span', { class: 'visually-hidden' }, ` — ${x.organisation}`));
      cert.addEventListener('click', () => download(cert, `assessments/${x.id}/certificate.pdf`, `certificat-label-${x.id}.pdf`));
    }
    return [x.organisation, `n° ${x.id}`, statusBadge(x.status, x.kind), x.submitted_at ? frDate(x.submitted_at) : '—', h('span', { class: 'actions' }, rep, cert)];
  });
  void user;
  return h('section', { class: 'card', 'aria-labelledby': 'docs-title' }, h('h2', { id: 'docs-title' }, 'Documents d’audit'),
    h('p', { class: 'hint' }, 'Le rapport d’audit de chaque audit soumis ; le certificat du label pour un audit qui l’a obtenu. Le certificat porte un code de vérification que chacun peut contrôler sur la page ',
      h('a', { href: '#/certificat' }, 'Vérifier un certificat'), '.'),
    list.length ? h('div', { 'data-testid': 'audit-documents' }, table('Documents d’audit', ['CAE', 'Audit', 'Statut', 'Soumis le', 'Documents'], rows)) : message('info', 'Aucun audit soumis pour l’instant.'),
    out);
}

export async function reports(view, ctx) {
  const [list, orgs] = await Promise.all([api('GET', 'reports'), api('GET', 'organisations').catch((err) => {
    if (err.status === 401) throw err;
    return null;
  })]);
  const docs = await documentsSection(ctx.user);
  if (!ctx.isCurrent()) return;
  pageTitle(view, 'Rapports et documents',
    ctx.user.role === 'cae' ? 'Les rapports sur votre CAE : à consulter en ligne ou à télécharger en CSV ou JSON ; les documents de vos audits.'
      : 'Les rapports du réseau : choisissez les paramètres, consultez le rapport en ligne ou téléchargez-le en CSV ou JSON ; les documents des audits.');
  const visible = ctx.user.role === 'cae' ? list.filter((r) => r.audience === 'cae') : list;
  if (!visible.length) add(view, message('info', 'Aucun rapport n’est disponible.'));
  add(view, h('div', { class: 'reports', 'data-testid': 'reports' }, visible.map((r) => reportCard(r, orgs, ctx.user))), docs);
}
