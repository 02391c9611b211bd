// Spec 13 (issue 21, "Forgotten password"): from the login page, « Mot de
// passe oublié ? » asks for a link; the page says the same for any address;
// the mailed link (read from the outbox) opens a French page, at 1280 and
// 375 px, that sets a new password and says every session of the account
// ended: the session open elsewhere is, the old password no longer opens
// one, the new one does; the link works once.
import { test, assert, equal, newPage, login, apiLogin, apiCall, shoot, PASSWORD } from '../lib.mjs';
import { mailLink, choosePassword, said } from './invitation.mjs';

export function register() {
  test('reset: a forgotten password is reset from the login page through the mailed link, at 1280 and 375 px', async (env) => {
    const admin = await apiLogin(env.url, env.fixture.users.admin.email);
    for (const width of [1280, 375]) {
      const email = `oubli-${width}@beta.test`;
      const made = await apiCall(env.url, admin, 'POST', 'users',
        { email, name: `Oscar ${width}`, role: 'cae', organisation_id: env.fixture.orgs.beta, password: PASSWORD });
      equal(made.status, 201, `the account: ${JSON.stringify(made.body)}`);
      const elsewhere = await newPage(env);
      await login(elsewhere, email);

      const page = await newPage(env, width);
      await page.goto('/#/connexion');
      await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
      await page.getByRole('heading', { level: 1, name: 'Mot de passe oublié' }).waitFor();
      const ask = async (address) => {
        await page.getByLabel('Adresse électronique de votre compte').fill(address);
        await page.getByRole('button', { name: 'Recevoir un lien' }).click();
        const box = page.locator('[data-testid="reset-result"] .message-success').filter({ hasText: address });
        await box.waitFor();
        return (await box.innerText()).replace(address, 'ADDRESS');
      };
      const unknown = await ask(`personne-${width}@nulle-part.test`);
      const known = await ask(email);
      equal(known, unknown, 'the page says the same for any address');
      await shoot(page, 'mot-de-passe-oublie');

      const token = mailLink(env, email, 'mot-de-passe');
      await page.goto(`/#/mot-de-passe/${token}`);
      await page.getByRole('heading', { level: 1, name: 'Choisir un nouveau mot de passe' }).waitFor();
      const fresh = `un mot de passe tout neuf ${width}`;
      await choosePassword(page, fresh, fresh, 'Changer le mot de passe');
      const done = await said(page, 'success', 'Toutes les sessions de ce compte ont été fermées');
      assert(await done.isVisible(), 'the change is said');
      await shoot(page, 'nouveau-mot-de-passe');

      equal((await elsewhere.context().request.get('/api/v1/me')).status(), 401, 'the session open elsewhere ended');
      const old = await fetch(`${env.url}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }) });
      equal(old.status, 401, 'the old password opens no session');
      await page.getByRole('link', { name: 'Se connecter' }).last().click();
      await login(page, email, fresh);
      equal((await page.context().request.get('/api/v1/me')).status(), 200, 'the new password opens one');

      // the link again: used
      await page.goto(`/#/mot-de-passe/${token}`);
      await choosePassword(page, 'encore un autre mot de passe', 'encore un autre mot de passe', 'Changer le mot de passe');
      await said(page, 'error', 'Ce lien a déjà servi');
      for (const p of [page, elsewhere]) assert(p.errors.length === 0, `no script error: ${p.errors.join('; ')}`);
      await page.context().close();
      await elsewhere.context().close();
    }
  });
}
