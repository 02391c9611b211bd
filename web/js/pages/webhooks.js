// webhooks (admin): the endpoints that receive the platform's events, their
// secrets (shown once), enabling, rotation, deletion, the delivery log and
// replay. Endpoints: GET/POST /webhooks, PATCH/DELETE /webhooks/{id},
// GET /webhooks/{id}/deliveries, POST /webhooks/{id}/replay, GET /plugins.
import { api } from '../api.js';
import { h, field, add } from '../dom.js';
import { frDate, frDateTime, plural } from '../i18n.js';
import { frenchReason } from '../errors.js';
import { pageTitle, message, errorBox, table, busy, announce, confirmAction } from '../ui.js';

export const EVENT_TYPES = {
  'assessment.created': 'Une évaluation est ouverte',
  'assessment.submitted': 'Une auto-évaluation est soumise',
  'audit.assigned': 'Un audit est confié à un auditeur',
  'audit.submitted': 'Un audit est soumis',
  'decision.recorded': 'Le Comité enregistre une décision',
  'label.awarded': 'Un label est attribué',
  'label.refused': 'Un label est refusé',
  'label.expiring': 'Un label arrive à échéance (180, 90 et 30 jours avant)',
  'label.expired': 'Un label a expiré',
  'ruleset.activated': 'De nouvelles règles sont activées',
  'action_item.overdue': 'Une action du plan est en retard',
  'audit.auditor_unavailable': 'L’auditeur d’un audit en cours ne peut plus le mener (compte désactivé, certification échue)',
  'webhook.disabled': 'Un point de réception est désactivé',
};

const STATES = { pending: 'En attente d’un nouvel essai', delivered: 'Remis', succeeded: 'Remis', success: 'Remis', failed: 'Échec définitif', dead: 'Échec définitif', sending: 'En cours' };

/** The secret, shown once, with the instruction to copy it now. */
function secretBox(title, secret) {
  const input = h('input', { type: 'text', readonly: true, id: 'webhook-secret', value: secret, class: 'mono', 'data-no-draft': true });
  const copy = h('button', { type: 'button', class: 'button-secondary small' }, 'Copier');
  copy.addEventListener('click', async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(secret);
      announce('Secret copié.');
      copy.textContent = 'Copié';
    } catch {
      announce('Copie impossible : sélectionnez le texte et copiez-le.');
    }
  });
  return h('div', { class: 'secret', 'data-testid': 'webhook-secret' },
    message('warning', `${title} Copiez ce secret maintenant : il ne sera plus jamais affiché. Le point de réception s’en sert pour vérifier la signature (en-tête webhook-signature) de chaque envoi.`),
    h('div', { class: 'secret-line' }, field('Secret de signature', input).wrap, copy));
}

function eventsText(events) {
  if (!events || events.includes('*')) return 'Tous les événements';
  return events.join(', ');
}

export async function webhooks(view, ctx) {
  const plugins = await api('GET', 'plugins').catch((err) => {
    if (err.status === 401) throw err;
    return [];
  });
  if (!ctx.isCurrent()) return;
  pageTitle(view, 'Webhooks',
    'Les adresses (points de réception) auxquelles la plate-forme envoie ses événements, signés selon Standard Webhooks. Un envoi qui échoue est réessayé pendant plusieurs jours.');
  const secretOut = h('div', { 'aria-live': 'polite' });
  const listOut = h('div', { 'aria-live': 'polite' });
  const listBox = h('div', { 'data-testid': 'webhooks' });

  const act = (button, run) => busy(button, async () => {
    listOut.replaceChildren();
    try {
      await run();
    } catch (err) {
      if (err.status !== 401) add(listOut, errorBox(err));
    }
  });

  async function refresh() {
    const list = await api('GET', 'webhooks');
    listBox.replaceChildren();
    if (!list.length) {
      add(listBox, message('info', 'Aucun point de réception pour l’instant.'));
      return;
    }
    add(listBox, table('Points de réception', ['Adresse', 'Événements', 'État', 'Actions'], list.map((w) => {
      const state = w.enabled ? h('span', { class: 'badge badge-ok' }, 'Actif')
        : h('span', h('span', { class: 'badge badge-off' }, 'Désactivé'), w.disabled_reason ? h('span', { class: 'small' }, ` — ${w.disabled_reason}`) : null);
      const toggle = h('button', { type: 'button', class: 'button-secondary small', 'data-action': w.enabled ? 'disable' : 'enable' },
        w.enabled ? 'Désactiver' : 'Réactiver', h('span', { class: 'visually-hidden' }, ` ${w.url}`));
      toggle.addEventListener('click', () => act(toggle, async () => {
        await api('PATCH', `webhooks/${w.id}`, { enabled: !w.enabled });
        announce(w.enabled ? 'Point de réception désactivé.' : 'Point de réception réactivé.');
        await refresh();
      }));
      const rotate = h('button', { type: 'button', class: 'button-secondary small', 'data-action': 'rotate' }, 'Nouveau secret', h('span', { class: 'visually-hidden' }, ` pour ${w.url}`));
      rotate.addEventListener('click', () => act(rotate, async () => {
        const r = await api('PATCH', `webhooks/${w.id}`, { rotate_secret: true });
        secretOut.replaceChildren(secretBox(`Nouveau secret pour ${w.url} : l’ancien signe encore les envois pendant 24 heures.`, r.secret));
        secretOut.querySelector('input').focus();
      }));
      const del = confirmAction({ label: 'Supprimer', hidden: ` ${w.url}`, question: 'Supprimer définitivement ?', yes: 'Oui, supprimer', action: 'delete' },
        (yes) => act(yes, async () => {
          await api('DELETE', `webhooks/${w.id}`);
          announce('Point de réception supprimé.');
          await refresh();
        }));
      return [
        h('span', { class: 'url' }, w.url, w.plugin ? h('span', { class: 'hint' }, ` (format de l’extension ${w.plugin})`) : null),
        eventsText(w.events),
        state,
        h('span', { class: 'actions', 'data-webhook': w.id }, toggle, rotate,
          h('a', { href: `#/admin/webhooks/${w.id}`, class: 'button-secondary small' }, 'Journal des envois', h('span', { class: 'visually-hidden' }, ` de ${w.url}`)),
          del),
      ];
    })));
  }
  await refresh();
  if (!ctx.isCurrent()) return;
  add(view, secretOut, h('section', { class: 'card', 'aria-labelledby': 'wh-list' }, h('h2', { id: 'wh-list' }, 'Points de réception'), listOut, listBox));

  // creation
  const url = h('input', { type: 'url', id: 'webhook-url', name: 'url', required: true, autocomplete: 'off', placeholder: 'https://' });
  const allName = 'webhook-scope';
  const all = h('input', { type: 'radio', name: allName, id: 'webhook-all', value: 'all', checked: true });
  const some = h('input', { type: 'radio', name: allName, id: 'webhook-some', value: 'some' });
  const boxes = Object.entries(EVENT_TYPES).map(([k, v]) => {
    const cb = h('input', { type: 'checkbox', id: `event-${k.replace(/[._]/g, '-')}`, value: k });
    return h('div', { class: 'radio' }, cb, h('label', { for: cb.id }, h('code', k), ` — ${v}`));
  });
  const typesBox = h('fieldset', { class: 'event-types', hidden: true }, h('legend', 'Les événements à envoyer'), boxes);
  const syncScope = () => {
    typesBox.hidden = !some.checked;
  };
  all.addEventListener('change', syncScope);
  some.addEventListener('change', syncScope);
  const hooks = plugins.filter((p) => (p.hooks || []).includes('webhook_payload'));
  const plugin = h('select', { id: 'webhook-plugin', name: 'plugin' }, h('option', { value: '' }, 'Le format standard (JSON signé)'),
    hooks.map((p) => h('option', { value: p.name }, `${p.name} — ${p.description || ''}${p.enabled ? '' : ' (extension désactivée)'}`)));
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Créer le point de réception');
  const form = h('form', { class: 'form', novalidate: true },
    field('Adresse de réception (URL)', url, 'Une adresse http ou https qui répond 2xx. Les adresses locales ou privées sont refusées sauf configuration du serveur.').wrap,
    h('fieldset', h('legend', 'Événements'),
      h('div', { class: 'radio' }, all, h('label', { for: all.id }, 'Tous les événements, y compris ceux ajoutés plus tard')),
      h('div', { class: 'radio' }, some, h('label', { for: some.id }, 'Seulement certains événements'))),
    typesBox,
    hooks.length ? field('Format des messages', plugin, 'Une extension peut mettre les messages au format d’un service de discussion (Mattermost, Slack).').wrap : null,
    out, h('p', submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const u = url.value.trim();
    if (!/^https?:\/\/\S+$/i.test(u)) {
      add(out, message('error', 'Indiquez une adresse commençant par http:// ou https://.'));
      url.focus();
      return;
    }
    const events = some.checked ? boxes.map((b) => b.querySelector('input')).filter((x) => x.checked).map((x) => x.value) : ['*'];
    if (!events.length) {
      add(out, message('error', 'Choisissez au moins un événement, ou « Tous les événements ».'));
      return;
    }
    const body = { url: u, events };
    if (plugin.value) body.plugin = plugin.value;
    busy(submit, async () => {
      try {
        const w = await api('POST', 'webhooks', body);
        form.reset();
        all.checked = true;
        syncScope();
        secretOut.replaceChildren(secretBox(`Point de réception créé pour ${w.url}.`, w.secret));
        await refresh();
        secretOut.querySelector('input').focus();
        secretOut.scrollIntoView({ block: 'start' });
      } catch (err) {
        if (err.status === 400) add(out, message('error', frenchReason(err) || (err.path === '$.url' ? 'Cette adresse est refusée.' : 'La saisie est refusée.'), err.apiMessage));
        else if (err.status !== 401) add(out, errorBox(err));
      }
    });
  });
  add(view, h('section', { class: 'card', 'aria-labelledby': 'wh-new' }, h('h2', { id: 'wh-new' }, 'Nouveau point de réception'), form));
}

export async function deliveries(view, ctx) {
  const id = ctx.params.id;
  const [w, log] = await Promise.all([api('GET', `webhooks/${id}`), api('GET', `webhooks/${id}/deliveries`)]);
  if (!ctx.isCurrent()) return;
  pageTitle(view, 'Journal des envois', `Point de réception n° ${w.id} : ${w.url}`);
  add(view, h('p', { class: 'meta' }, w.enabled ? 'Actif' : `Désactivé${w.disabled_reason ? ` — ${w.disabled_reason}` : ''}`, ` · ${eventsText(w.events)} · `,
    h('a', { href: '#/admin/webhooks' }, 'Tous les points de réception')));
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'replay-result' });
  const replay = (button, body, what) => busy(button, async () => {
    out.replaceChildren();
    try {
      const r = await api('POST', `webhooks/${id}/replay`, body);
      add(out, message('success', `${what} : ${plural(r.queued, 'envoi mis', 'envois mis')} en file d’attente. Actualisez le journal dans quelques secondes.`));
    } catch (err) {
      if (err.status !== 401) add(out, errorBox(err));
    }
  });
  const refresh = h('button', { type: 'button', class: 'button-secondary', onclick: () => ctx.rerender() }, 'Actualiser le journal');
  add(view, out, h('p', refresh));
  if (!log.length) add(view, message('info', 'Aucun envoi pour l’instant.'));
  else {
    add(view, h('div', { 'data-testid': 'deliveries' }, table('Les tentatives d’envoi, les plus récentes d’abord', ['Date', 'Événement', 'État', 'Réponse', 'Renvoyer'], log.map((d) => {
      const again = h('button', { type: 'button', class: 'button-secondary small' }, 'Renvoyer', h('span', { class: 'visually-hidden' }, ` l’événement n° ${d.event_id}`));
      again.addEventListener('click', () => replay(again, { event_id: d.event_id }, `Événement n° ${d.event_id}`));
      const resp = [d.status ? `HTTP ${d.status}` : null, typeof d.duration_ms === 'number' ? `${d.duration_ms} ms` : null].filter(Boolean).join(' · ');
      return [frDateTime(d.at), h('span', h('code', d.type), ` n° ${d.event_id}`),
        h('span', { class: ['badge', `delivery-${d.state}`] }, STATES[d.state] || d.state, d.attempts ? ` (essai ${d.attempts})` : ''),
        h('span', { class: 'small' }, resp || '—', d.error ? h('span', { class: 'delivery-error' }, ` — ${d.error}`) : null,
          d.response ? h('details', h('summary', 'Réponse reçue'), h('pre', { class: 'source small' }, d.response)) : null),
        again];
    }))));
  }
  // replay since a date
  const since = h('input', { type: 'datetime-local', id: 'replay-since', required: true });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Renvoyer depuis cette date');
  const form = h('form', { class: 'form narrow', novalidate: true }, field('Renvoyer tous les événements depuis le', since, 'Heure locale de votre navigateur.').wrap, h('p', submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const d = since.value ? new Date(since.value) : null;
    if (!d || Number.isNaN(d.getTime())) {
      add(out, message('error', 'Indiquez une date et une heure.'));
      since.focus();
      return;
    }
    replay(submit, { since: d.toISOString().replace(/\.\d{3}Z$/, 'Z') }, `Événements depuis le ${frDate(d.toISOString())}`);
  });
  add(view, h('section', { class: 'card', 'aria-labelledby': 'replay-title' }, h('h2', { id: 'replay-title' }, 'Renvoyer des événements'), form));
}
