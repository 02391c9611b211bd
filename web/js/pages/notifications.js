// notifications: the signed-in person's notifications, newest first, read
// or unread (GET /notifications); opening one marks it read (POST
// /notifications/{id}/read), a button marks them all (POST
// /notifications/read). The header's count (app.js) follows.
import { api } from '../api.js';
import { h, add } from '../dom.js';
import { frDateTime, plural } from '../i18n.js';
import { pageTitle, message, errorBox, busy, announce } from '../ui.js';

/** Tells the header the unread count changed. */
function countChanged(n) {
  document.dispatchEvent(new CustomEvent('labelcoop:unread', { detail: n }));
}

function item(n, out) {
  const unread = !n.read_at;
  const state = h('span', { class: `badge ${unread ? 'badge-unread' : 'badge-na'}` }, unread ? 'Non lue' : 'Lue');
  const title = n.link ? h('a', { href: n.link.replace(/^\//, '') }, n.title) : h('span', n.title);
  const li = h('li', { class: `notification${unread ? ' unread' : ''}`, 'data-notification': n.id },
    h('p', { class: 'notification-title' }, state, ' ', title),
    h('p', { class: 'meta' }, frDateTime(n.created_at)));
  if (unread) {
    const read = h('button', { type: 'button', class: 'button-secondary small' }, 'Marquer comme lue',
      h('span', { class: 'visually-hidden' }, ` : ${n.title}`));
    const markRead = async () => {
      const r = await api('POST', `notifications/${n.id}/read`);
      countChanged(r.unread);
      return r;
    };
    read.addEventListener('click', () => busy(read, async () => {
      try {
        await markRead();
        li.classList.remove('unread');
        state.className = 'badge badge-na';
        state.textContent = 'Lue';
        read.remove();
        announce('Notification marquée comme lue.');
      } catch (err) {
        if (err.status !== 401) out.replaceChildren(errorBox(err));
      }
    }));
    title.addEventListener('click', () => { markRead().catch(() => {}); });
    add(li, h('p', read));
  }
  return li;
}

export async function notifications(view, ctx) {
  const list = await api('GET', 'notifications');
  if (!ctx.isCurrent()) return;
  const unread = list.filter((n) => !n.read_at).length;
  pageTitle(view, 'Notifications',
    'Ce que la plate-forme vous a signalé, qu’il vous ait été envoyé par courriel ou non. Choisissez sur « Mon compte » ce que vous recevez par courriel.');
  countChanged(unread);
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'notifications-result' });
  add(view, out);
  if (!list.length) {
    add(view, message('info', 'Aucune notification pour l’instant.'));
    return;
  }
  const all = h('button', { type: 'button', class: 'button-secondary', disabled: unread === 0 }, 'Tout marquer comme lu');
  all.addEventListener('click', () => busy(all, async () => {
    try {
      const r = await api('POST', 'notifications/read');
      countChanged(r.unread);
      await ctx.rerender();
      announce('Toutes les notifications sont marquées comme lues.');
    } catch (err) {
      if (err.status !== 401) out.replaceChildren(errorBox(err));
    }
  }));
  add(view, h('p', { class: 'meta', 'data-testid': 'notifications-count' },
    unread ? plural(unread, 'notification non lue', 'notifications non lues') : 'Tout est lu.', ' ', all),
  h('ul', { class: 'notifications', 'data-testid': 'notifications' }, list.map((n) => item(n, out))));
}
