// invitation: the page an invitation's e-mailed link leads to,
// #/invitation/TOKEN: the invitee chooses a password
// (POST /invitations/{token}/accept {"password"}) and is logged in.
import { api } from '../api.js';
import { add } from '../dom.js';
import { pageTitle } from '../ui.js';
import { loggedIn } from '../app.js';
import { newPasswordForm } from './password_reset.js';

export async function invitation(view, ctx) {
  pageTitle(view, 'Rejoindre la plateforme du label',
    'Vous êtes invité·e : choisissez votre mot de passe pour ouvrir votre compte.');
  const { form } = newPasswordForm(null, 'Créer mon compte', async (password) => {
    const r = await api('POST', `invitations/${encodeURIComponent(ctx.params.key)}/accept`, { password },
      { quiet401: true });
    loggedIn(r.user, r.csrf_token);
  });
  add(view, form);
}
