// Spec 12 (after « Mon compte »): notifications (issue 21). A CAE of its own
// (Coopérative Epsilon) gets two audits; its member sees the header's count,
// turns « Audit confié » off by e-mail on « Mon compte » (saved, still off
// after a reload, and the next audit is then kept in the list but not
// mailed), reads the list (one marked read, then all; the count follows);
// the page at 375 px too. The administration reads the e-mail page: every
// message, then only the failed ones with their error.
import { execFileSync } from 'node:child_process';
import { test, assert, equal, newPage, login, apiLogin, apiCall, shoot, PASSWORD } from '../lib.mjs';

const EMAIL = 'eva@epsilon.test';

/** The header's unread count, as shown ("" when hidden). */
async function shownCount(page) {
  return page.evaluate(() => {
    const c = document.getElementById('unread-count');
    return c && !c.hidden ? c.textContent : '';
  });
}

async function countIs(page, want) {
  await page.waitForFunction((w) => {
    const c = document.getElementById('unread-count');
    return (c && !c.hidden ? c.textContent : '') === w;
  }, want);
}

export function register() {
  test('notifications: a CAE member chooses what is mailed on « Mon compte » and reads their notifications; the count follows', async (env) => {
    const admin = await apiLogin(env.url, env.fixture.users.admin.email);
    const committee = await apiLogin(env.url, env.fixture.users.committee.email);
    const org = await apiCall(env.url, admin, 'POST', 'organisations',
      { name: 'Coopérative Epsilon', legal_form: 'SCOP SA', city: 'Rennes', region: 'Bretagne', member_since: '2021-01-01' });
    equal(org.status, 201, `the organisation: ${JSON.stringify(org.body)}`);
    const made = await apiCall(env.url, admin, 'POST', 'users',
      { email: EMAIL, name: 'Eva Epsilon', role: 'cae', organisation_id: org.body.id, password: PASSWORD });
    equal(made.status, 201, `the member: ${JSON.stringify(made.body)}`);
    env.state.epsilon = org.body.id;
    const audit = async () => {
      const r = await apiCall(env.url, committee, 'POST', `organisations/${org.body.id}/assessments`,
        { kind: 'audit', auditor_id: env.fixture.users.auditor.id });
      equal(r.status, 201, `an audit: ${JSON.stringify(r.body)}`);
      return r.body.id;
    };
    const first = await audit();
    await audit();

    const page = await newPage(env);
    await login(page, EMAIL);
    await countIs(page, '2');
    const bell = page.getByRole('link', { name: /^Notifications/ });
    assert((await bell.textContent()).includes('2 non lues'), `the link says how many: ${await bell.textContent()}`);

    // « Mon compte »: audits assigned no longer by e-mail
    await page.getByRole('link', { name: 'Mon compte' }).click();
    const assigned = page.getByLabel('Audit confié', { exact: true });
    await assigned.waitFor();
    assert(await assigned.isChecked(), 'every kind is mailed at first');
    assert(await page.getByLabel('Décision du comité').isChecked(), 'decisions too');
    await assigned.uncheck();
    await page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
    await page.locator('[data-testid="notifications-result"] .message-success')
      .filter({ hasText: 'Vos choix de notifications sont enregistrés.' }).waitFor();
    await page.reload();
    await page.getByLabel('Audit confié', { exact: true }).waitFor();
    assert(!(await page.getByLabel('Audit confié', { exact: true }).isChecked()), 'still off after a reload');
    assert(await page.getByLabel('Décision du comité').isChecked(), 'the others stay');
    await shoot(page, 'mon-compte-notifications', { scrollTo: '#notifications' });

    // the next audit: in the list, not mailed to her
    const mailsBefore = await apiCall(env.url, admin, 'GET', 'mail');
    await audit();
    const mailsAfter = await apiCall(env.url, admin, 'GET', 'mail');
    const mailed = mailsAfter.body.slice(0, mailsAfter.body.length - mailsBefore.body.length).map((m) => m.recipient);
    assert(!mailed.includes(EMAIL) && mailed.includes(env.fixture.users.auditor.email), `mailed to ${mailed}`);
    await page.reload();
    await countIs(page, '3');

    // the list
    await page.getByRole('link', { name: /^Notifications/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    equal(await page.getByRole('link', { name: /^Notifications/ }).getAttribute('aria-current'), 'page', 'the header marks the page');
    const items = page.locator('[data-testid="notifications"] li');
    equal(await items.count(), 3, 'three notifications');
    equal(await page.locator('[data-testid="notifications"] li.unread').count(), 3, 'all unread');
    assert((await items.first().innerText()).includes('Audit confié : Coopérative Epsilon'), await items.first().innerText());
    await items.last().getByRole('button', { name: /Marquer comme lue/ }).click();
    await items.last().locator('.badge', { hasText: /^Lue$/ }).waitFor();
    await countIs(page, '2');
    await shoot(page, 'notifications');
    await page.getByRole('button', { name: 'Tout marquer comme lu' }).click();
    await page.locator('[data-testid="notifications-count"]').filter({ hasText: 'Tout est lu.' }).waitFor();
    await countIs(page, '');
    equal(await page.locator('[data-testid="notifications"] li.unread').count(), 0, 'none unread');
    // a notification leads to its page
    await items.last().getByRole('link', { name: 'Audit confié : Coopérative Epsilon' }).click();
    await page.waitForFunction((id) => location.hash === `#/evaluations/${id}`, first);
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();

    // at 375 px
    const small = await newPage(env, 375);
    await login(small, EMAIL);
    await small.goto('/#/notifications');
    await small.locator('[data-testid="notifications"] li').first().waitFor();
    const wide = await small.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert(!wide, 'the list does not scroll sideways at 375 px');
    assert(small.errors.length === 0, `no script error: ${small.errors.join('; ')}`);
    await small.context().close();
  });

  test('notifications: the administration reads the e-mail outbox, every message or only the failed ones with their error', async (env) => {
    // without an SMTP server the messages wait; one is marked failed as a
    // refused delivery would (functional mail_spec sends real ones)
    execFileSync('sqlite3', [env.fixture.db, "UPDATE mail SET status = 'failed', attempts = 1,"
      + " last_error = '550 5.1.1 mailbox unavailable' WHERE id = (SELECT min(id) FROM mail);"]);
    for (const width of [1280, 375]) {
      const page = await newPage(env, width);
      await login(page, env.fixture.users.admin.email);
      if (width === 1280) await page.getByLabel('Navigation principale').getByRole('link', { name: 'Courriels' }).click();
      else await page.goto('/#/admin/courriels');
      await page.getByRole('heading', { level: 1, name: 'Courriels' }).waitFor();
      const log = page.locator('[data-testid="mail-log"]');
      await log.locator('tbody tr').first().waitFor();
      const all = await log.locator('tbody tr').count();
      assert(all >= 4, `every message: ${all}`);
      assert((await log.innerText()).includes('En attente'), 'pending ones');
      await page.getByLabel('État').selectOption('failed');
      await page.waitForFunction(() => location.hash === '#/admin/courriels?etat=failed');
      await log.locator('[data-mail-status="failed"]').first().waitFor();
      const shown = await log.locator('tbody tr').count();
      equal(await log.locator('[data-mail-status="failed"]').count(), shown, 'only failed ones');
      assert((await log.innerText()).includes('550 5.1.1 mailbox unavailable'), `its error: ${await log.innerText()}`);
      await page.getByLabel('État').selectOption('sent');
      await page.locator('#main .message-info').filter({ hasText: 'Aucun message dans l’état « Envoyé ».' }).waitFor();
      if (width === 1280) {
        await page.getByLabel('État').selectOption('');
        await log.locator('tbody tr').nth(1).waitFor();
        await shoot(page, 'courriels');
      }
      assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
      await page.context().close();
    }
    // not the others'
    const page = await newPage(env);
    await login(page, EMAIL);
    await page.goto('/#/admin/courriels');
    await page.getByRole('heading', { level: 1, name: 'Accès refusé' }).waitFor();
    equal(await page.getByLabel('Navigation principale').getByRole('link', { name: 'Courriels' }).count(), 0, 'no link for a CAE');
    await page.context().close();
  });
}
