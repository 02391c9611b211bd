// Spec 11 (after all the others): « Mon compte » (issue 21). A CAE member of
// its own (so no other spec's login changes) opens the page from the header
// with the keyboard, reads who they are, is refused a wrong current password
// by the server (in French, naming it), a too-short or mismatched new one by
// the page before anything is sent, then changes it. Their other browser,
// logged in before with the old password, finds its session ended (401, back
// to the login page); the new password opens a session there, the old one no
// longer does; the session that made the change stays open.
import { test, assert, equal, newPage, login, apiLogin, apiCall, shoot, PASSWORD } from '../lib.mjs';
import { keyboardWalk } from './accessibility.mjs';

const EMAIL = 'emma@alpha.test';
const NEW_PASSWORD = 'un tout nouveau mot de passe';

async function submitPassword(page, { current, fresh, again }) {
  await page.getByLabel('Mot de passe actuel', { exact: true }).fill(current);
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(fresh);
  await page.getByLabel('Confirmation du nouveau mot de passe', { exact: true }).fill(again);
  await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
}

/** The message the form shows, once it holds text. */
async function said(page, kind, text) {
  const box = page.locator(`[data-testid="password-result"] .message-${kind}`).filter({ hasText: text });
  await box.waitFor();
  return box;
}

const focusedId = (page) => page.evaluate(() => document.activeElement.id);

export function register() {
  test('account: a CAE member changes their password from « Mon compte »; their other session ends, the old password no longer opens one', async (env) => {
    const admin = await apiLogin(env.url, env.fixture.users.admin.email);
    const made = await apiCall(env.url, admin, 'POST', 'users',
      { email: EMAIL, name: 'Emma Lefèvre', role: 'cae', organisation_id: env.fixture.orgs.alpha, password: PASSWORD });
    equal(made.status, 201, `the admin creates Emma's account: ${JSON.stringify(made.body)}`);

    // her other browser, logged in before the change with the old password
    const other = await newPage(env);
    await login(other, EMAIL);

    const page = await newPage(env);
    await login(page, EMAIL);
    const puts = [];
    page.on('request', (r) => {
      if (r.method() === 'PUT' && r.url().endsWith('/api/v1/me/password')) puts.push(r.url());
    });
    // from the header, with the keyboard, once the landing page is drawn:
    // the app then moves the focus to its title, which took it from the link
    // on a slow machine
    await page.waitForFunction(() => document.activeElement && document.activeElement.tagName === 'H1');
    await page.getByRole('link', { name: 'Mon compte' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Mon compte' }).waitFor();
    equal(await page.evaluate(() => location.hash), '#/compte', 'the page has its address');
    equal(await page.getByRole('link', { name: 'Mon compte' }).getAttribute('aria-current'), 'page', 'the header marks the page as current');
    const facts = page.locator('[data-testid="account-identity"]');
    await facts.waitFor();
    const text = await facts.innerText();
    for (const want of ['Emma Lefèvre', EMAIL, 'Membre de CAE', 'Coopérative Alpha']) assert(text.includes(want), `« Mon compte » shows ${want}: ${text}`);

    const current = page.getByLabel('Mot de passe actuel', { exact: true });
    const fresh = page.getByLabel('Nouveau mot de passe', { exact: true });
    const again = page.getByLabel('Confirmation du nouveau mot de passe', { exact: true });
    equal(await current.getAttribute('autocomplete'), 'current-password', 'the current password is autocompleted as such');
    equal(await fresh.getAttribute('autocomplete'), 'new-password', 'the new password is a new one for password managers');
    equal(await again.getAttribute('autocomplete'), 'new-password', 'and so is its confirmation');
    const show = page.getByLabel('Afficher les mots de passe');
    await show.check();
    equal(await fresh.getAttribute('type'), 'text', 'the passwords can be shown');
    await show.uncheck();
    equal(await fresh.getAttribute('type'), 'password', 'and hidden again');

    // refused by the page, before anything is sent
    await submitPassword(page, { current: PASSWORD, fresh: 'court', again: 'court' });
    await said(page, 'error', 'Le nouveau mot de passe est trop court : au moins 10 caractères.');
    equal(await fresh.getAttribute('aria-invalid'), 'true', 'the new password is marked invalid');
    equal(await focusedId(page), 'account-new', 'the focus is on the new password');
    await submitPassword(page, { current: PASSWORD, fresh: NEW_PASSWORD, again: `${NEW_PASSWORD}!` });
    await said(page, 'error', 'La confirmation ne correspond pas au nouveau mot de passe');
    equal(await again.getAttribute('aria-invalid'), 'true', 'the confirmation is marked invalid');
    equal(await fresh.getAttribute('aria-invalid'), null, 'the new password no longer is');
    equal(puts.length, 0, 'nothing was sent for a short or mismatched password');

    // refused by the server: the current password is wrong (400 at $.current)
    await submitPassword(page, { current: 'pas le bon mot de passe', fresh: NEW_PASSWORD, again: NEW_PASSWORD });
    const wrong = await said(page, 'error', 'Le mot de passe actuel est incorrect.');
    equal(puts.length, 1, 'a complete form is sent');
    equal(await wrong.locator('details.detail code').textContent(), '$.current: is not your current password', 'the server\'s words folded');
    equal(await current.getAttribute('aria-invalid'), 'true', 'the current password is marked invalid');
    equal(await focusedId(page), 'account-current', 'the focus is on the current password');

    await submitPassword(page, { current: PASSWORD, fresh: NEW_PASSWORD, again: NEW_PASSWORD });
    const done = await said(page, 'success', 'Votre mot de passe est changé. Vos autres sessions ont été fermées');
    assert(await done.evaluate((m) => m === document.activeElement), 'the focus is on the confirmation');
    for (const f of [current, fresh, again]) equal(await f.inputValue(), '', 'the fields are emptied');
    await shoot(page, 'mon-compte');

    // this session stays open
    await page.reload();
    await page.locator('#account-password').waitFor({ timeout: 30000 });
    equal(await page.evaluate(() => location.hash), '#/compte', 'the session that changed the password stays');

    // the other one is ended: its next call is a 401, and the page goes back to the login page
    equal((await other.context().request.get('/api/v1/me')).status(), 401, 'the other session is revoked');
    await other.getByLabel('Navigation principale').getByRole('link', { name: 'Plan d’action' }).click();
    await other.waitForFunction(() => location.hash.startsWith('#/connexion'));
    await other.getByRole('heading', { level: 1, name: 'Se connecter' }).waitFor();
    // the old password is refused, the new one lets in
    await other.getByLabel('Adresse électronique').fill(EMAIL);
    await other.getByLabel('Mot de passe').fill(PASSWORD);
    await other.getByRole('button', { name: 'Se connecter' }).last().click();
    await other.locator('#main .message-error').filter({ hasText: 'Adresse électronique ou mot de passe incorrect.' }).waitFor();
    await other.getByLabel('Mot de passe').fill(NEW_PASSWORD);
    await other.getByRole('button', { name: 'Se connecter' }).last().click();
    await other.waitForFunction(() => !location.hash.startsWith('#/connexion'));
    equal((await other.context().request.get('/api/v1/me')).status(), 200, 'the new password opens a session');
    const old = await fetch(`${env.url}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }) });
    equal(old.status, 401, 'the old password opens none through the API either');

    for (const p of [page, other]) assert(p.errors.length === 0, `no script error: ${p.errors.join('; ')}`);
    await page.context().close();
    await other.context().close();
  });

  test('account: every role reaches « Mon compte » from the header; the keyboard walks its form in order', async (env) => {
    const page = await newPage(env);
    await login(page, env.fixture.users.auditor.email);
    await page.getByRole('link', { name: 'Mon compte' }).click();
    const facts = page.locator('[data-testid="account-identity"]');
    await facts.waitFor();
    const text = await facts.innerText();
    for (const want of ['Claire Durand', 'Auditeur ou auditrice', 'Coopérative Gamma', 'Certifié·e jusqu’au 31 décembre 2099']) {
      assert(text.includes(want), `the auditor's account shows ${want}: ${text}`);
    }
    await keyboardWalk(page, 'mon compte');
    await page.context().close();
    for (const who of ['committee', 'admin']) {
      const p = await newPage(env, 375);
      await login(p, env.fixture.users[who].email);
      await p.getByRole('link', { name: 'Mon compte' }).click();
      await p.locator('#account-password').waitFor();
      assert(p.errors.length === 0, `no script error: ${p.errors.join('; ')}`);
      await p.context().close();
    }
  });
}
