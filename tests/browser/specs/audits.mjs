// Spec 4 (after labelling, access and platform, whose audits it leaves
// alone): a draft audit given to another auditor. The committee opens an
// audit, gives it to a second certified auditor from the audits list; the
// former auditor no longer sees it, the new one finds the findings so far;
// the administration cannot change that auditor's role, or put them in the
// audited CAE, while they hold the draft, and is told why.
import { test, assert, equal, newPage, login, shoot, apiLogin, apiCall, PASSWORD, markPage, created } from '../lib.mjs';
import { expectDenied } from './access.mjs';

/** Creates an auditor certified until 2099 through the API; returns their id. */
async function addAuditor(env, admin, email, name, org) {
  const r = await apiCall(env.url, admin, 'POST', 'users', { email, name, role: 'auditor', organisation_id: org, certified_until: '2099-12-31', password: PASSWORD });
  equal(r.status, 201, `the administration creates ${name}`);
  return r.body.id;
}

/** The audits list row of an audit. */
function auditRow(page, id) {
  return page.locator('[data-testid="audits"] tbody tr').filter({ has: page.locator(`a[data-audit="${id}"]`) });
}

export function register() {
  test('audits: the committee gives a draft audit to another certified auditor; the former one loses it, the new one keeps the findings', async (env) => {
    const { users, orgs } = env.fixture;
    const admin = await apiLogin(env.url, users.admin.email);
    // a second certified auditor, from no CAE, and one of the CAE to be audited
    const marc = await addAuditor(env, admin, 'marc@reseau.test', 'Marc Lefèvre', null);
    await addAuditor(env, admin, 'berenice@beta.test', 'Bérénice Roux', orgs.beta);
    env.state.reassign = { marc };

    const page = await newPage(env);
    await login(page, users.committee.email);
    await page.goto('/#/audits');
    await page.getByLabel('CAE auditée').selectOption({ label: 'Coopérative Beta' });
    await page.getByLabel('Auditeur ou auditrice').selectOption(String(users.auditor.id));
    await markPage(page);
    await page.getByRole('button', { name: 'Ouvrir l’audit' }).click();
    const opened = page.locator('.message-success').filter({ hasText: 'ouvert pour Coopérative Beta.' });
    const id = Number(/Audit n° (\d+)/.exec(await opened.textContent())[1]);
    env.state.reassign.audit = id;
    await created(page, { message: opened, row: auditRow(page, id), fields: { '#audit-org': '', '#audit-auditor': '' } });
    equal(await page.evaluate(() => document.activeElement.dataset.reassign), String(id), 'the focus is on the new audit\'s change of auditor');
    equal(await page.locator('#audit-auditor option:disabled').count(), 0, 'with no CAE chosen, every auditor is offered again');
    // a finding by the first auditor, before the change
    const claire = await apiLogin(env.url, users.auditor.email);
    equal((await apiCall(env.url, claire, 'PUT', `assessments/${id}/answers/JF-01`, { status: 'partial' })).status, 200, 'Claire records a finding');

    const row = auditRow(page, id);
    await row.filter({ hasText: 'Claire Durand' }).waitFor();
    const open = page.getByRole('button', { name: `Changer d’auditeur pour l’audit n° ${id} de Coopérative Beta` });
    await open.click();
    const form = page.locator('[data-testid="reassign"]');
    const picker = form.getByLabel('Nouvel auditeur ou nouvelle auditrice');
    equal(await page.evaluate(() => document.activeElement.id), `reassign-${id}`, 'the list of auditors has the focus');
    equal(await open.getAttribute('aria-expanded'), 'true', 'the button says its form is open');
    const offered = await picker.locator('option').evaluateAll((os) => os.map((o) => ({ text: o.textContent, disabled: o.disabled })));
    const option = (name) => offered.find((o) => o.text.includes(name));
    assert(option('Claire Durand') && option('Claire Durand').disabled, `the current auditor cannot be chosen: ${JSON.stringify(offered)}`);
    assert(option('Bérénice Roux') && option('Bérénice Roux').disabled, 'an auditor of the audited CAE cannot be chosen');
    assert(option('Marc Lefèvre') && !option('Marc Lefèvre').disabled && option('Marc Lefèvre').text.includes('31 décembre 2099'), 'the other certified auditor is offered');
    await picker.selectOption(String(marc));
    await shoot(page, 'comite-audits-changement', { scrollTo: '[data-testid="reassign"]' });
    const give = form.getByRole('button', { name: 'Confier l’audit' });
    await picker.selectOption('');
    await give.click();
    await form.locator('.message-error').filter({ hasText: 'Choisissez le nouvel auditeur ou la nouvelle auditrice.' }).waitFor();
    await picker.selectOption(String(marc));
    await give.click();
    await page.locator('.message-success').filter({ hasText: `Audit n° ${id} de Coopérative Beta confié à Marc Lefèvre.` })
      .filter({ hasText: 'Claire Durand n’y a plus accès' }).waitFor();
    await row.filter({ hasText: 'Marc Lefèvre' }).waitFor();
    assert(!(await row.textContent()).includes('Claire Durand'), 'the row no longer names Claire');
    equal(await form.count(), 0, 'the form closes');
    equal(await page.evaluate(() => document.activeElement.dataset.reassign), String(id), 'focus goes back to the row');
    const committee = await apiLogin(env.url, users.committee.email);
    equal((await apiCall(env.url, committee, 'GET', `assessments/${id}`)).body.auditor_id, marc, 'the server has the new auditor');
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();

    // the former auditor: gone from "Mes audits", refused at its page
    const former = await newPage(env);
    await login(former, users.auditor.email);
    await former.waitForSelector('[data-testid="audits"]');
    equal(await former.locator(`a[data-audit="${id}"]`).count(), 0, 'Claire no longer lists the audit');
    await expectDenied(former, `#/evaluations/${id}`);
    await former.context().close();

    // the new auditor: in "Mes audits", with the finding entered before
    const next = await newPage(env);
    await login(next, 'marc@reseau.test');
    await next.waitForSelector('[data-testid="audits"]');
    const link = next.locator(`a[data-audit="${id}"]`);
    equal(await link.textContent(), 'Auditer', 'Marc is offered to audit it');
    await link.click();
    await next.waitForSelector('[data-criterion="JF-01"]');
    equal(await next.getAttribute('[data-criterion="JF-01"] button[data-status="partial"]', 'aria-pressed'), 'true', 'the finding entered by Claire stays');
    assert(next.errors.length === 0, `no script error: ${next.errors.join('; ')}`);
    await next.context().close();
  });

  test('audits: the administration cannot change the role or the CAE of an auditor holding a draft audit, and is told why', async (env) => {
    const { audit } = env.state.reassign;
    const page = await newPage(env);
    await login(page, env.fixture.users.admin.email);
    await page.goto('/#/admin/utilisateurs');
    await page.waitForSelector('[data-testid="users"]');
    const form = page.locator('[data-testid="edit-user"]');
    const save = form.getByRole('button', { name: 'Enregistrer les modifications' });
    await page.getByRole('button', { name: 'Modifier le compte de Marc Lefèvre' }).click();
    await form.getByLabel('Rôle').selectOption('committee');
    await save.click();
    const refusal = form.locator('.message-error');
    await refusal.filter({ hasText: `Cet auditeur a encore un audit en cours (n° ${audit}) : confiez-le d’abord à un autre auditeur depuis la page Audits.` }).waitFor();
    const detail = refusal.locator('details.detail');
    equal(await detail.locator('summary').textContent(), 'Détail technique', 'the API\'s message folded as a technical detail');
    assert((await detail.locator('code').textContent()).includes(`$.role: user ${env.state.reassign.marc} is the auditor of draft audits ${audit}`), 'the API\'s message as detail');
    equal(await refusal.getByRole('link', { name: 'Audits' }).getAttribute('href'), '#/audits', 'a link to the Audits page');
    await shoot(page, 'admin-utilisateurs-audits-en-cours', { scrollTo: '[data-testid="edit-user"]' });
    // still an auditor, but in the audited CAE
    await form.getByLabel('Rôle').selectOption('auditor');
    await form.getByLabel('Organisation').selectOption({ label: 'Coopérative Beta' });
    await save.click();
    await refusal.filter({ hasText: `Cet auditeur a encore un audit en cours de cette CAE (n° ${audit})` })
      .filter({ hasText: 'un auditeur n’audite jamais sa propre CAE' }).waitFor();
    await form.getByRole('button', { name: 'Annuler' }).click();
    const row = page.locator('[data-testid="users"] tr').filter({ hasText: 'marc@reseau.test' });
    const text = await row.textContent();
    assert(text.includes('Auditeur ou auditrice') && !text.includes('Coopérative Beta'), `Marc is unchanged: ${text}`);
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();

    // Disabling an account stays possible at any time; the audits list then
    // tells the committee that the draft waits for another auditor.
    const admin = await apiLogin(env.url, env.fixture.users.admin.email);
    const marc = env.state.reassign.marc;
    equal((await apiCall(env.url, admin, 'PATCH', `users/${marc}`, { disabled: true })).status, 200, 'Marc is disabled');
    const committee = await newPage(env);
    await login(committee, env.fixture.users.committee.email);
    await committee.goto('/#/audits');
    const flagged = auditRow(committee, audit);
    await flagged.locator('.auditor-stuck').filter({ hasText: 'compte désactivé' }).waitFor();
    equal(await committee.locator('.auditor-stuck').count(), 1, 'only the audit of the disabled auditor is flagged');
    await shoot(committee, 'comite-audits-auditeur-desactive', { scrollTo: '[data-testid="audits"]' });
    assert(committee.errors.length === 0, `no script error: ${committee.errors.join('; ')}`);
    await committee.context().close();
    equal((await apiCall(env.url, admin, 'PATCH', `users/${marc}`, { disabled: false })).status, 200, 'Marc is enabled again');

    // The auditor chosen loses the certification while the form is open:
    // the server refuses (409 on $.auditor_id) and the form says why.
    const claire = env.fixture.users.auditor.id;
    const certified = (await apiCall(env.url, admin, 'GET', 'users')).body.find((u) => u.id === claire).certified_until;
    const late = await newPage(env);
    await login(late, env.fixture.users.committee.email);
    await late.goto('/#/audits');
    await late.getByRole('button', { name: `Changer d’auditeur pour l’audit n° ${audit} de Coopérative Beta` }).click();
    const lateForm = late.locator('[data-testid="reassign"]');
    await lateForm.getByLabel('Nouvel auditeur ou nouvelle auditrice').selectOption(String(claire));
    // An audit opened meanwhile draws the list again: the open form stays, with its choice.
    await late.getByLabel('CAE auditée').selectOption({ label: 'Coopérative Alpha' });
    await late.getByLabel('Auditeur ou auditrice').selectOption(String(claire));
    await late.getByRole('button', { name: 'Ouvrir l’audit' }).click();
    await late.locator('.message-success').filter({ hasText: 'ouvert pour Coopérative Alpha.' }).waitFor();
    equal(await lateForm.count(), 1, 'the change of auditor is still open');
    equal(await late.locator(`tr.reassign-row[data-for="${audit}"]`).evaluate((r) => r.previousElementSibling.querySelector('a[data-audit]')?.dataset.audit),
      String(audit), 'under the row of its audit');
    equal(await lateForm.getByLabel('Nouvel auditeur ou nouvelle auditrice').inputValue(), String(claire), 'with the auditor chosen');
    equal(await late.getByRole('button', { name: `Changer d’auditeur pour l’audit n° ${audit} de Coopérative Beta` }).getAttribute('aria-expanded'), 'true',
      'its button still says it is open');
    equal((await apiCall(env.url, admin, 'PATCH', `users/${claire}`, { certified_until: '2020-01-01' })).status, 200, 'Claire’s certification ends');
    await lateForm.getByRole('button', { name: 'Confier l’audit' }).click();
    const refused = lateForm.locator('.message-error').filter({ hasText: 'Cette personne ne peut pas recevoir l’audit' });
    await refused.waitFor();
    assert((await refused.textContent()).includes('is not certified'), 'the API\'s reason as detail');
    equal((await apiCall(env.url, admin, 'PATCH', `users/${claire}`, { certified_until: certified })).status, 200, 'Claire is certified again');
    equal((await apiCall(env.url, admin, 'GET', `assessments/${audit}`)).body.auditor_id, marc, 'the audit stays Marc’s');
    assert(late.errors.length === 0, `no script error: ${late.errors.join('; ')}`);
    await late.context().close();
  });
}
