// Spec 12 (issue 21, "Invitation"): the administration invites someone by
// e-mail; the link the message holds (read from the outbox: this server
// sends no e-mail) opens a French page, at 1280 and 375 px, where the
// invitee is refused a short or mismatched password by the page, chooses
// one, and lands logged in on their CAE's dashboard; the link then works no
// more, and says so in French.
import { execFileSync } from 'node:child_process';
import { test, assert, equal, newPage, apiLogin, apiCall, shoot } from '../lib.mjs';

const PASSWORD = 'le mot de passe que je choisis';

/** The token of the last `path` link (#/invitation/…) mailed to recipient, from the outbox. */
export function mailLink(env, recipient, path) {
  const text = execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 5000', env.fixture.db,
    `SELECT text FROM mail WHERE recipient = '${recipient}' ORDER BY id DESC LIMIT 1;`], { encoding: 'utf8' });
  const m = new RegExp(`#/${path}/([\\w-]+)`).exec(text);
  if (!m) throw new Error(`no ${path} link mailed to ${recipient}: ${text}`);
  return m[1];
}

/** Types a password twice and sends the form. */
export async function choosePassword(page, fresh, again, button) {
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(fresh);
  await page.getByLabel('Confirmation du mot de passe', { exact: true }).fill(again);
  await page.getByRole('button', { name: button }).click();
}

/** The message the form shows, once it holds text. */
export async function said(page, kind, text) {
  const box = page.locator(`[data-testid="password-result"] .message-${kind}`).filter({ hasText: text });
  await box.waitFor();
  return box;
}

export function register() {
  test('invitation: the invitee chooses a password from the mailed link and is logged in, at 1280 and 375 px; the link works once', async (env) => {
    const admin = await apiLogin(env.url, env.fixture.users.admin.email);
    for (const width of [1280, 375]) {
      const email = `invitee-${width}@alpha.test`;
      const made = await apiCall(env.url, admin, 'POST', 'invitations',
        { email, name: `Inès ${width}`, role: 'cae', organisation_id: env.fixture.orgs.alpha });
      equal(made.status, 201, `the invitation: ${JSON.stringify(made.body)}`);
      const token = mailLink(env, email, 'invitation');

      const page = await newPage(env, width);
      const posts = [];
      page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/accept')) posts.push(r.url()); });
      await page.goto(`/#/invitation/${token}`);
      await page.getByRole('heading', { level: 1, name: 'Rejoindre la plateforme du label' }).waitFor();
      await choosePassword(page, 'court', 'court', 'Créer mon compte');
      await said(page, 'error', 'Le mot de passe est trop court : au moins 10 caractères.');
      await choosePassword(page, PASSWORD, `${PASSWORD}!`, 'Créer mon compte');
      await said(page, 'error', 'La confirmation ne correspond pas');
      equal(posts.length, 0, 'nothing was sent for a short or mismatched password');
      await shoot(page, 'invitation');
      await choosePassword(page, PASSWORD, PASSWORD, 'Créer mon compte');
      await page.waitForFunction((org) => location.hash === `#/cae/${org}`, env.fixture.orgs.alpha);
      const me = await page.context().request.get('/api/v1/me');
      equal(me.status(), 200, 'logged in');
      equal((await me.json()).email, email, 'as the invitee');
      await page.getByRole('link', { name: 'Mon compte' }).waitFor();
      assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
      await page.context().close();

      // the link again: used
      const again = await newPage(env, width);
      await again.goto(`/#/invitation/${token}`);
      await choosePassword(again, 'un autre mot de passe encore', 'un autre mot de passe encore', 'Créer mon compte');
      await said(again, 'error', 'Ce lien d’invitation a déjà servi');
      await again.context().close();
    }
  });
}
