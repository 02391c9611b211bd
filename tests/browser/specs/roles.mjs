// Spec 12 (after account.mjs): people, not roles (issue 21). A person of
// their own, member of Coopérative Alpha and certified auditor, logs in to
// their first role, switches to the auditor role from the header's « Agir en
// tant que » and sees the auditor's pages (not the CAE's), then back, at 1280
// and 375 px; the administration's list of users names both roles. As the
// CAE's responsible member they open « Mon équipe » and disable a colleague,
// who can then no longer log in, and enable them again.
import { test, assert, equal, newPage, login, apiLogin, apiCall, shoot, PASSWORD } from '../lib.mjs';

const ROSE = 'rose@alpha.test';
const THEO = 'theo@alpha.test';

async function person(env, admin, email, name, extra) {
  const made = await apiCall(env.url, admin, 'POST', 'users',
    { email, name, role: 'cae', organisation_id: env.fixture.orgs.alpha, password: PASSWORD });
  equal(made.status, 201, `the admin creates ${name}: ${JSON.stringify(made.body)}`);
  if (extra) {
    const r = await apiCall(env.url, admin, 'POST', `users/${made.body.id}/roles`, extra);
    equal(r.status, 201, `${name} gets a second role: ${JSON.stringify(r.body)}`);
  }
  return made.body.id;
}

const nav = (page) => page.getByLabel('Navigation principale');

/** The header's role switcher, at either width (the menu may be folded at 375 px, the switcher never is). */
async function switchTo(page, label) {
  await page.getByLabel('Agir en tant que').selectOption({ label });
}

export function register() {
  test('roles: a member of a CAE who is also a certified auditor switches role from the header and sees the other role\'s pages', async (env) => {
    const admin = await apiLogin(env.url, env.fixture.users.admin.email);
    const rose = await person(env, admin, ROSE, 'Rose Dubreuil', { role: 'auditor', certified_until: '2099-12-31' });
    env.state.rose = rose;
    for (const width of [1280, 375]) {
      const page = await newPage(env, width);
      await login(page, ROSE);
      // the first role: the CAE's dashboard
      await page.getByRole('heading', { level: 1, name: /Tableau de bord — Coopérative Alpha/ }).waitFor();
      const select = page.getByLabel('Agir en tant que');
      equal(await select.inputValue(), 'cae', 'the switcher names the role acted in');
      if (width === 1280) {
        assert(await nav(page).getByRole('link', { name: 'Plan d’action' }).isVisible(), 'the CAE\'s menu');
        equal(await nav(page).getByRole('link', { name: 'Mes audits' }).count(), 0, 'no auditor\'s menu as a CAE member');
      }
      await switchTo(page, 'Auditeur ou auditrice');
      await page.getByRole('heading', { level: 1, name: 'Mes audits' }).waitFor();
      equal(await page.evaluate(() => location.hash), '#/audits', 'the auditor\'s home');
      equal(await page.getByLabel('Agir en tant que').inputValue(), 'auditor', 'the switcher follows');
      equal(await nav(page).getByRole('link', { name: 'Plan d’action' }).count(), 0, 'no CAE menu as an auditor');
      // the role is the session's: a reload keeps it, and the CAE's pages are refused
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Mes audits' }).waitFor();
      await page.goto(`/#/cae/${env.fixture.orgs.alpha}/plan-action`);
      await page.getByRole('heading', { level: 1, name: 'Accès refusé' }).waitFor();
      if (width === 1280) await shoot(page, 'roles-auditeur');
      await switchTo(page, 'Membre de CAE');
      await page.getByRole('heading', { level: 1, name: /Tableau de bord — Coopérative Alpha/ }).waitFor();
      assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
      await page.context().close();
    }
    // one role, no switcher; the administration's list names every role of a person
    const single = await newPage(env);
    await login(single, env.fixture.users.admin.email);
    await single.getByRole('heading', { level: 1 }).first().waitFor();
    equal(await single.getByLabel('Agir en tant que').count(), 0, 'no switcher for a person of one role');
    await single.goto('/#/admin/utilisateurs');
    const row = single.locator('[data-testid="users"] tr').filter({ hasText: ROSE });
    await row.waitFor();
    const text = await row.innerText();
    assert(text.includes('Membre de CAE') && text.includes('aussi : Auditeur ou auditrice'), `both roles listed: ${text}`);
    await single.context().close();
  });

  test('roles: the CAE\'s responsible member disables a colleague from « Mon équipe »', async (env) => {
    const admin = await apiLogin(env.url, env.fixture.users.admin.email);
    const theo = await person(env, admin, THEO, 'Théo Garnier');
    const made = await apiCall(env.url, admin, 'PATCH', `users/${env.state.rose}/roles/cae`, { responsible: true });
    equal(made.status, 200, `Rose is made responsible: ${JSON.stringify(made.body)}`);
    for (const width of [1280, 375]) {
      const page = await newPage(env, width);
      await login(page, ROSE);
      await page.getByRole('heading', { level: 1, name: /Tableau de bord/ }).waitFor();
      if (width === 375) await page.getByRole('button', { name: 'Menu' }).click();
      await nav(page).getByRole('link', { name: 'Mon équipe' }).click();
      await page.getByRole('heading', { level: 1, name: 'Mon équipe' }).waitFor();
      const row = (email) => page.locator('[data-testid="team"] tr').filter({ hasText: email });
      await row(THEO).waitFor();
      assert((await row(ROSE).innerText()).includes('Vous'), 'one\'s own row has no button');
      equal(await row(env.fixture.users.beta.email).count(), 0, 'only the CAE\'s members are listed');
      if (width === 1280) {
        await row(THEO).getByRole('button', { name: 'Désactiver le compte de Théo Garnier' }).click();
        await page.locator('.message-success').filter({ hasText: 'Le compte de Théo Garnier est désactivé' }).waitFor();
        assert((await row(THEO).innerText()).includes('Désactivé'), 'the list says so');
        const focused = await page.evaluate(() => document.activeElement.closest('tr')?.dataset.member);
        equal(focused, String(theo), 'the focus stays on the colleague\'s row');
        const r = await fetch(`${env.url}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: THEO, password: PASSWORD }) });
        equal(r.status, 401, 'the disabled colleague can no longer log in');
        await shoot(page, 'mon-equipe');
        // a colleague invited from the same page: an address with an account is refused, said in French
        await page.getByLabel('Nom').fill('Inès Invitée');
        await page.getByLabel('Adresse électronique').fill(THEO);
        await page.getByRole('button', { name: 'Envoyer l’invitation' }).click();
        await page.locator('[data-testid="invite-result"] .message-error').filter({ hasText: 'inutile de l’inviter' }).waitFor();
        await page.getByLabel('Adresse électronique').fill('ines@alpha.example');
        await page.getByRole('button', { name: 'Envoyer l’invitation' }).click();
        await page.locator('[data-testid="invite-result"] .message-success').filter({ hasText: 'Invitation envoyée à ines@alpha.example' }).waitFor();
        const pending = await apiCall(env.url, admin, 'GET', 'invitations');
        const sent = pending.body.find((i) => i.email === 'ines@alpha.example');
        assert(sent && sent.role === 'cae' && sent.organisation_id === env.fixture.orgs.alpha,
          `the invitation is for the CAE: ${JSON.stringify(pending.body)}`);
      } else {
        // at 375 px the row reads, and re-enabling works the same
        await row(THEO).getByRole('button', { name: 'Réactiver le compte de Théo Garnier' }).click();
        await page.locator('.message-success').filter({ hasText: 'Le compte de Théo Garnier est réactivé' }).waitFor();
        await apiLogin(env.url, THEO);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
        assert(!wide, 'the team page does not scroll sideways at 375 px');
      }
      assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
      await page.context().close();
    }
    // a member who is not responsible has no « Mon équipe », and its address is refused
    const other = await newPage(env);
    await login(other, env.fixture.users.alpha.email);
    equal(await nav(other).getByRole('link', { name: 'Mon équipe' }).count(), 0, 'no « Mon équipe » for a member');
    await other.goto(`/#/cae/${env.fixture.orgs.alpha}/equipe`);
    await other.getByRole('heading', { level: 1, name: 'Accès refusé' }).waitFor();
    await other.context().close();
  });
}
