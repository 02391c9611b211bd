// login: the session form; after an expiry, says so and brings the user back.
import { api } from '../api.js';
import { h, field, add } from '../dom.js';
import { pageTitle, message, errorBox } from '../ui.js';
import { loggedIn, session, homeOf } from '../app.js';

export async function login(view, ctx) {
  if (session.user) {
    ctx.navigate(homeOf(session.user), { replace: true });
    return;
  }
  pageTitle(view, 'Se connecter');
  if (ctx.query.get('expiree')) {
    add(view, message('warning', 'Votre session a expiré. Reconnectez-vous : ce que vous étiez en train de saisir est conservé et sera enregistré à votre retour.'));
  } else if (ctx.query.get('mot-de-passe')) {
    add(view, message('success', 'Votre mot de passe est changé : reconnectez-vous avec le nouveau.'));
  } else if (ctx.query.get('deconnexion')) {
    add(view, message('success', 'Vous êtes déconnecté·e.'));
  }
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, id: 'login-email' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, id: 'login-password' });
  const out = h('div');
  const submit = h('button', { type: 'submit', class: 'button' }, 'Se connecter');
  const form = h('form', { class: 'form narrow', novalidate: true },
    field('Adresse électronique', email).wrap,
    field('Mot de passe', password).wrap,
    out, submit,
    h('p', h('a', { href: '#/mot-de-passe-oublie', id: 'forgotten-password' }, 'Mot de passe oublié ?')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    if (!email.value.trim() || !password.value) {
      add(out, message('error', 'Saisissez votre adresse électronique et votre mot de passe.'));
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    try {
      const r = await api('POST', 'session', { email: email.value.trim(), password: password.value }, { quiet401: true });
      loggedIn(r.user, r.csrf_token);
    } catch (err) {
      submit.disabled = false;
      if (err.status === 401) add(out, message('error', 'Adresse électronique ou mot de passe incorrect.'));
      else add(out, errorBox(err));
      password.select();
      password.focus();
    }
  });
  add(view, form);
}
