// password_reset: "Mot de passe oublié ?": the request of a link by e-mail
// (POST /password-reset {"email"}: the same answer whether or not the address
// has an account), and the page the link leads to, #/mot-de-passe/TOKEN
// (POST /password-reset/{token} {"password"}: every session of the account
// ended). newPasswordForm is the choice of a password, shared with the
// invitation's page.
import { api } from '../api.js';
import { h, field, add, newId } from '../dom.js';
import { pageTitle, message, errorBox, busy } from '../ui.js';

/** The server's minimum (svc_password_check); said before sending. */
const MIN_PASSWORD = 10;

/**
 * A form choosing a new password, typed twice; send(password) is called
 * with it once it looks right, and its error (an ApiError) is shown. The
 * form and its result area (out, for the caller's success message).
 */
export function newPasswordForm(email, label, send) {
  const fresh = h('input', { type: 'password', id: newId('pw'), autocomplete: 'new-password', required: true,
    spellcheck: 'false', autocapitalize: 'off' });
  const again = h('input', { type: 'password', id: newId('pw'), autocomplete: 'new-password', required: true,
    spellcheck: 'false', autocapitalize: 'off' });
  // the account's address, unseen, tells password managers whose password it is
  const username = email
    ? h('input', { type: 'email', autocomplete: 'username', value: email, hidden: true, readonly: true }) : null;
  const out = h('div', { 'data-testid': 'password-result', tabindex: '-1' });
  const submit = h('button', { type: 'submit', class: 'button' }, label);
  const form = h('form', { class: 'form narrow', novalidate: true },
    username,
    field('Nouveau mot de passe', fresh, `Au moins ${MIN_PASSWORD} caractères.`).wrap,
    field('Confirmation du mot de passe', again).wrap,
    out, submit);
  const say = (el, bad) => {
    fresh.removeAttribute('aria-invalid');
    again.removeAttribute('aria-invalid');
    if (bad) bad.setAttribute('aria-invalid', 'true');
    out.replaceChildren(el);
    (bad || out).focus();
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if ([...fresh.value].length < MIN_PASSWORD) {
      say(message('error', `Le mot de passe est trop court : au moins ${MIN_PASSWORD} caractères.`), fresh);
      return;
    }
    if (again.value !== fresh.value) {
      say(message('error', 'La confirmation ne correspond pas : saisissez deux fois le même mot de passe.'), again);
      return;
    }
    await busy(submit, async () => {
      try {
        await send(fresh.value);
      } catch (err) {
        say(errorBox(err), err.path === '$.password' ? fresh : null);
        return;
      }
      fresh.value = '';
      again.value = '';
      submit.hidden = true;
    });
  });
  return { form, out };
}

/** #/mot-de-passe-oublie: the address to send a link to. */
export async function forgotten(view) {
  pageTitle(view, 'Mot de passe oublié', 'Recevez par e-mail un lien pour choisir un nouveau mot de passe.');
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, id: 'reset-email' });
  const out = h('div', { 'data-testid': 'reset-result', tabindex: '-1' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Recevoir un lien');
  const form = h('form', { class: 'form narrow', novalidate: true },
    field('Adresse électronique de votre compte', email).wrap, out, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!email.value.trim()) {
      out.replaceChildren(message('error', 'Saisissez l’adresse électronique de votre compte.'));
      email.focus();
      return;
    }
    await busy(submit, async () => {
      try {
        await api('POST', 'password-reset', { email: email.value.trim() }, { quiet401: true });
      } catch (err) {
        out.replaceChildren(errorBox(err));
        out.focus();
        return;
      }
      out.replaceChildren(message('success', `Si un compte utilise l’adresse ${email.value.trim()}, un e-mail vient `
        + 'de lui être envoyé avec un lien valable une heure. Pensez à regarder dans les indésirables.'));
      out.focus();
    });
  });
  add(view, form, h('p', h('a', { href: '#/connexion' }, 'Revenir à la connexion')));
}

/** #/mot-de-passe/TOKEN: the new password, through the e-mailed link. */
export async function reset(view, ctx) {
  pageTitle(view, 'Choisir un nouveau mot de passe',
    'Toutes les sessions ouvertes avec ce compte seront fermées.');
  const { form, out } = newPasswordForm(null, 'Changer le mot de passe', async (password) => {
    await api('POST', `password-reset/${encodeURIComponent(ctx.params.key)}`, { password }, { quiet401: true });
    out.replaceChildren(message('success', 'Votre mot de passe est changé. Toutes les sessions de ce compte ont été '
      + 'fermées : connectez-vous avec le nouveau mot de passe.'),
    h('p', h('a', { href: '#/connexion', class: 'button' }, 'Se connecter')));
    out.focus();
  });
  add(view, form);
}
