// mail (admin): the e-mail outbox, newest first (GET /mail?status=): each
// message's state (sent, pending, failed), attempts, kind, recipient and
// subject, and a failure's error; filtered by state.
import { api } from '../api.js';
import { h, add, field } from '../dom.js';
import { frDateTime } from '../i18n.js';
import { pageTitle, message, table } from '../ui.js';

const STATES = { sent: 'Envoyé', pending: 'En attente', failed: 'Échec' };
const BADGES = { sent: 'badge-ok', pending: 'status-submitted', failed: 'outcome-refused' };

export async function mailLog(view, ctx) {
  const status = STATES[ctx.query.get('etat')] ? ctx.query.get('etat') : '';
  const list = await api('GET', status ? `mail?status=${status}` : 'mail');
  if (!ctx.isCurrent()) return;
  pageTitle(view, 'Courriels',
    'Les messages que la plate-forme envoie (notifications, invitations), les plus récents d’abord : envoyés, en attente d’un nouvel essai, ou en échec avec la raison.');
  const select = h('select', { id: 'mail-status', name: 'etat' },
    h('option', { value: '' }, 'Tous'),
    Object.entries(STATES).map(([k, v]) => h('option', { value: k, selected: k === status }, v)));
  select.addEventListener('change', () => ctx.navigate(select.value ? `#/admin/courriels?etat=${select.value}` : '#/admin/courriels'));
  add(view, h('form', { class: 'form narrow filters', onsubmit: (ev) => ev.preventDefault() },
    field('État', select).wrap));
  const box = h('div', { 'data-testid': 'mail-log' });
  add(view, box);
  if (!list.length) {
    add(box, message('info', status ? `Aucun message dans l’état « ${STATES[status]} ».` : 'Aucun message pour l’instant.'));
    return;
  }
  add(box, table('Courriels', ['Date', 'Destinataire', 'Objet', 'État', 'Essais'], list.map((m) => [
    frDateTime(m.created_at),
    m.recipient,
    h('span', m.subject, h('span', { class: 'hint' }, ` (${m.kind})`)),
    h('span', { 'data-mail-status': m.status },
      h('span', { class: `badge ${BADGES[m.status] || ''}` }, STATES[m.status] || m.status),
      m.sent_at ? h('span', { class: 'small' }, ` le ${frDateTime(m.sent_at)}`) : null,
      m.error ? h('span', { class: 'mail-error small' }, ` — ${m.error}`) : null),
    String(m.attempts),
  ]), { captionVisible: false }));
}
