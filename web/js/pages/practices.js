// practices: a CAE's own good practices (noted by the committee at its
// decisions) and its consent to share each in the network's catalogue.
// Endpoints: GET /organisations/{id}/good-practices, PATCH /good-practices/{id}.
import { api, getReferential } from '../api.js';
import { h, add } from '../dom.js';
import { frDate } from '../i18n.js';
import { pageTitle, message, errorBox, levelBadge, busy, announce } from '../ui.js';

export async function ownPractices(view, ctx) {
  const orgId = ctx.params.id;
  const [list, ref, org] = await Promise.all([api('GET', `organisations/${orgId}/good-practices`), getReferential(),
    api('GET', `organisations/${orgId}`).catch((err) => {
      if (err.status === 401) throw err;
      return null;
    })]);
  if (!ctx.isCurrent()) return;
  const mine = ctx.user.role === 'cae' && ctx.user.organisation_id === orgId;
  pageTitle(view, mine ? 'Nos bonnes pratiques' : `Bonnes pratiques${org ? ` — ${org.name}` : ''}`,
    'Les bonnes pratiques relevées par le Comité de labellisation lors des audits. Chacune n’apparaît dans le catalogue du réseau que si la CAE accepte de la partager ; ce choix se retire à tout moment.');
  add(view, h('p', h('a', { href: '#/bonnes-pratiques' }, 'Le catalogue du réseau')));
  if (!list.length) {
    add(view, message('info', 'Aucune bonne pratique n’a encore été relevée pour cette CAE.'));
    return;
  }
  const out = h('div', { 'aria-live': 'polite' });
  const items = h('ul', { class: 'practice-list', 'data-testid': 'own-practices' });
  for (const p of [...list].sort((x, y) => (y.date || '').localeCompare(x.date || '') || y.id - x.id)) {
    const c = p.criterion ? ref.byId.get(p.criterion) : null;
    let shared = !!p.shared;
    const state = h('span', { class: 'badge' });
    const button = h('button', { type: 'button', class: 'button-secondary small', 'data-practice': p.id });
    const paint = () => {
      state.className = `badge ${shared ? 'badge-ok' : 'badge-off'}`;
      state.textContent = shared ? 'Partagée dans le catalogue' : 'Non partagée';
      button.replaceChildren(shared ? 'Retirer du catalogue' : 'Partager dans le catalogue',
        h('span', { class: 'visually-hidden' }, ` : ${p.text.slice(0, 60)}`));
    };
    paint();
    button.addEventListener('click', () => busy(button, async () => {
      out.replaceChildren();
      try {
        const r = await api('PATCH', `good-practices/${p.id}`, { shared: !shared });
        shared = r && typeof r.shared === 'boolean' ? r.shared : !shared;
        paint();
        announce(shared ? 'Bonne pratique partagée avec le réseau.' : 'Bonne pratique retirée du catalogue.');
      } catch (err) {
        if (err.status !== 401) add(out, errorBox(err));
      }
    }));
    add(items, h('li', { class: 'card practice' },
      h('h2', { class: 'h3' }, p.criterion ? `${p.criterion} ` : 'Sans critère associé', c ? levelBadge(c.level) : null),
      c ? h('p', { class: 'statement small' }, c.statement) : null,
      h('p', h('strong', p.text)),
      h('p', { class: 'hint' }, `Relevée le ${frDate(p.date)}`, p.assessment_id ? [' lors de l’', h('a', { href: `#/evaluations/${p.assessment_id}/resultats` }, `audit n° ${p.assessment_id}`)] : null, '.'),
      h('p', { class: 'actions' }, state, mine ? button : null)));
  }
  add(view, out, items);
}
