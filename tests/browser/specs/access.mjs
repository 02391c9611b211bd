// Spec 2: permissions from the browser (a CAE member cannot open another
// CAE's pages), an expired session (back to login, then back to the page
// with what was typed), the administration and public pages.
import { test, assert, equal, newPage, login, shoot, apiLogin, apiCall, markPage, created } from '../lib.mjs';

/** Opens hash and expects the French "Accès refusé" page. */
export async function expectDenied(page, hash) {
  await page.goto(`/${hash}`);
  await page.waitForSelector('h1');
  await page.waitForFunction(() => document.querySelector('h1').textContent !== '' && !document.querySelector('.loading'));
  const h1 = await page.textContent('h1');
  const main = await page.textContent('main');
  assert(h1 === 'Accès refusé' && /accès refusé/i.test(main), `${hash} shows "Accès refusé" (h1: ${h1})`);
}

/** Deletes the page's session on the server, as an expiry would. */
async function expireSession(env, page) {
  const cookie = (await page.context().cookies()).find((c) => c.name === 'labelcoop_session');
  assert(cookie, 'the session cookie is set');
  const r = await apiCall(env.url, cookie.value, 'DELETE', 'session');
  equal(r.status, 204, 'DELETE /api/v1/session');
}

export function register() {
  test('permissions: a CAE member cannot open another CAE\'s pages', async (env) => {
    const beta = await apiLogin(env.url, env.fixture.users.beta.email);
    const created = await apiCall(env.url, beta, 'POST', `organisations/${env.fixture.orgs.beta}/assessments`, { kind: 'self_assessment' });
    equal(created.status, 201, 'beta starts a self-assessment');
    env.state.betaAssessment = created.body.id;
    const page = await newPage(env);
    await login(page, env.fixture.users.alpha.email);
    await expectDenied(page, `#/cae/${env.fixture.orgs.beta}`);
    await shoot(page, 'acces-refuse');
    await expectDenied(page, `#/cae/${env.fixture.orgs.beta}/plan-action`);
    await expectDenied(page, `#/cae/${env.fixture.orgs.beta}/auto-evaluation`);
    await expectDenied(page, `#/evaluations/${env.state.betaAssessment}`);
    await expectDenied(page, `#/evaluations/${env.state.betaAssessment}/resultats`);
    await expectDenied(page, '#/admin/utilisateurs');
    await expectDenied(page, '#/comite');
    const nav = await page.textContent('#nav');
    assert(!nav.includes('Utilisateurs') && !nav.includes('Décisions'), 'the navigation offers only the CAE\'s pages');
    await page.context().close();
  });

  test('session: an expired session sends back to login and keeps the answer being typed', async (env) => {
    const page = await newPage(env);
    await login(page, env.fixture.users.beta.email);
    await page.goto(`/#/evaluations/${env.state.betaAssessment}`);
    await page.locator('[data-criterion="JF-01"] button[data-status="partial"]').click();
    await page.waitForSelector('#save-global[data-state="saved"]');
    await expireSession(env, page);
    const text = 'Saisi pendant que la session expirait : le PV d’AG est en cours de signature.';
    await page.locator('#comment-JF-01').fill(text);
    await page.waitForURL(/#\/connexion/);
    assert((await page.textContent('main')).includes('Votre session a expiré'), 'the login page says the session expired');
    await shoot(page, 'connexion-session-expiree');
    await page.getByLabel('Adresse électronique').fill(env.fixture.users.beta.email);
    await page.getByLabel('Mot de passe').fill((await import('../lib.mjs')).PASSWORD);
    await page.locator('main form button[type="submit"]').click();
    await page.waitForURL(new RegExp(`#/evaluations/${env.state.betaAssessment}$`));
    await page.waitForSelector('#comment-JF-01');
    equal(await page.inputValue('#comment-JF-01'), text, 'the comment typed is back');
    equal(await page.getAttribute('[data-criterion="JF-01"] button[data-status="partial"]', 'aria-pressed'), 'true', 'the answer is still there');
    await page.waitForSelector('#save-global[data-state="saved"]');
    const token = await apiLogin(env.url, env.fixture.users.beta.email);
    const a = await apiCall(env.url, token, 'GET', `assessments/${env.state.betaAssessment}`);
    const jf = a.body.answers.find((x) => x.criterion === 'JF-01');
    equal(jf && jf.comment, text, 'the comment reached the server after the new login');
    env.state.betaPage = page;
  });

  test('autosave: a network error shows "non enregistré", then the answer is saved by the automatic retry', async (env) => {
    const page = env.state.betaPage;
    let failures = 0;
    await page.route('**/api/v1/assessments/*/answers/JF-02', (route) => {
      if (failures < 1) {
        failures += 1;
        return route.abort('internetdisconnected');
      }
      return route.continue();
    });
    await page.locator('[data-criterion="JF-02"] button[data-status="met"]').click();
    await page.waitForSelector('#save-global[data-state="error"]');
    assert((await page.textContent('[data-criterion="JF-02"] .save-state')).includes('Non enregistré'), 'the criterion says it is not saved');
    await shoot(page, 'auto-evaluation-erreur-reseau', { scrollTo: '[data-criterion="JF-02"]' });
    await page.waitForSelector('#save-global[data-state="saved"]', { timeout: 15000 });
    equal(failures, 1, 'one failed attempt');
    const token = await apiLogin(env.url, env.fixture.users.beta.email);
    const a = await apiCall(env.url, token, 'GET', `assessments/${env.state.betaAssessment}`);
    equal((a.body.answers.find((x) => x.criterion === 'JF-02') || {}).status, 'met', 'the retried answer is stored');
    await page.unroute('**/api/v1/assessments/*/answers/JF-02');
  });

  test('session: a form typed when the session expired is restored after login', async (env) => {
    const page = env.state.betaPage;
    await page.goto(`/#/cae/${env.fixture.orgs.beta}/plan-action`);
    const action = 'Organiser une formation au droit coopératif pour les nouveaux entrepreneurs.';
    await page.getByLabel('Action à mener').fill(action);
    await page.getByLabel('Responsable', { exact: true }).last().fill('Bruno Petit');
    await expireSession(env, page);
    await page.getByRole('button', { name: 'Ajouter l’action' }).click();
    await page.waitForURL(/#\/connexion/);
    await page.getByLabel('Adresse électronique').fill(env.fixture.users.beta.email);
    await page.getByLabel('Mot de passe').fill((await import('../lib.mjs')).PASSWORD);
    await page.locator('main form button[type="submit"]').click();
    await page.waitForURL(/plan-action$/);
    await page.waitForSelector('#new-action');
    equal(await page.inputValue('#new-action'), action, 'the action typed is back');
    equal(await page.inputValue('#new-owner'), 'Bruno Petit', 'the owner typed is back');
    await page.getByRole('button', { name: 'Ajouter l’action' }).click();
    await page.locator('.message-success').filter({ hasText: 'Action ajoutée' }).waitFor();
    assert((await page.textContent('[data-testid="action-items"]')).includes(action), 'the action is in the plan');
    await page.locator('#logout').click();
    await page.waitForURL(/deconnexion/);
    await page.context().close();
  });

  test('admin: organisations, users with certification, API tokens', async (env) => {
    const page = await newPage(env);
    await login(page, env.fixture.users.admin.email);
    await page.waitForSelector('[data-testid="organisations"]');
    await page.getByLabel('Nom', { exact: true }).fill('Coopérative Delta');
    await page.getByLabel('Ville').fill('Rennes');
    await markPage(page);
    await page.getByRole('button', { name: 'Créer l’organisation' }).click();
    await created(page, {
      message: page.locator('.message-success').filter({ hasText: 'Organisation « Coopérative Delta » créée' }),
      row: page.locator('[data-testid="organisations"] tr').filter({ hasText: 'Coopérative Delta' }).filter({ hasText: 'Rennes' }),
      fields: { '#org-name': '', '#org-city': '' },
    });
    await shoot(page, 'admin-organisations');

    await page.goto('/#/admin/utilisateurs');
    await page.waitForSelector('[data-testid="users"]');
    await page.getByLabel('Nom', { exact: true }).fill('Denis Auditeur');
    await page.getByLabel('Adresse électronique').fill('denis@delta.test');
    await page.getByLabel('Rôle').selectOption('auditor');
    await page.getByLabel('Organisation').selectOption({ label: 'Coopérative Delta' });
    await page.getByLabel('Certifié jusqu’au').fill('2030-06-30');
    await page.getByLabel('Mot de passe initial').fill('un mot de passe solide');
    await markPage(page);
    await page.getByRole('button', { name: 'Créer le compte' }).click();
    await created(page, {
      message: page.locator('.message-success').filter({ hasText: 'Compte créé pour Denis Auditeur' }),
      row: page.locator('[data-testid="users"] tr').filter({ hasText: 'denis@delta.test' }).filter({ hasText: '30 juin 2030' }),
      fields: { '#user-name': '', '#user-email': '', '#user-role': 'cae', '#user-org': '', '#user-cert': '', '#user-password': '' },
    });
    equal(await page.evaluate(() => document.activeElement.textContent), 'Modifier le compte de Denis Auditeur', 'the focus is on the new account\'s button');
    assert(await page.locator('#user-cert').isHidden(), 'back to a CAE member: no certification field');
    await shoot(page, 'admin-utilisateurs');

    await page.goto('/#/admin/jetons');
    await page.waitForSelector('[data-testid="tokens"]');
    const tokens = page.locator('[data-testid="tokens"]');
    await page.getByLabel('Nom du jeton').fill('Outil de suivi');
    await page.getByRole('button', { name: 'Créer le jeton' }).click();
    await page.locator('#token-value').waitFor();
    const token = await page.inputValue('#token-value');
    assert(token.length > 20, 'the token is shown once');
    const row = tokens.locator('tr').filter({ hasText: 'Outil de suivi' });
    await row.waitFor();
    const listed = await row.textContent();
    assert(listed.includes('Ada Admin') && / 20\d\d \d\d:\d\d:\d\d UTC/.test(listed), `the new token is listed with its creator and date: ${listed}`);
    assert(!(await tokens.textContent()).includes(token), 'the list never shows the token itself');
    const me = await apiCall(env.url, token, 'GET', 'me');
    equal(me.status, 200, 'the new token authenticates');
    equal(me.body.role, 'admin', 'the token acts as its creator');
    await shoot(page, 'admin-jetons');
    await page.getByRole('button', { name: 'Révoquer le jeton « Outil de suivi »' }).click();
    await tokens.getByRole('button', { name: 'Oui, révoquer' }).click();
    await page.locator('.message-success').filter({ hasText: 'Jeton « Outil de suivi » révoqué' }).waitFor();
    await row.waitFor({ state: 'detached' });
    equal((await apiCall(env.url, token, 'GET', 'me')).status, 401, 'the revoked token is refused at once');
    await shoot(page, 'admin-jetons-revoque');
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();
  });

  test('admin: an account changed from the list (certification, role, password); refused changes say why', async (env) => {
    const page = await newPage(env);
    await login(page, env.fixture.users.admin.email);
    await page.goto('/#/admin/utilisateurs');
    await page.waitForSelector('[data-testid="users"]');
    const denis = page.locator('[data-testid="users"] tr').filter({ hasText: 'denis@delta.test' });
    const form = page.locator('[data-testid="edit-user"]');
    const save = form.getByRole('button', { name: 'Enregistrer les modifications' });
    /** Saves the form; resolves the body of the PATCH it sent. */
    const saveAndWatch = async () => {
      const sent = page.waitForRequest((r) => r.method() === 'PATCH' && /\/api\/v1\/users\/\d+$/.test(r.url()));
      await save.click();
      return JSON.parse((await sent).postData());
    };
    const error = async (text) => {
      await form.locator('.message-error').filter({ hasText: text }).waitFor();
    };

    await page.getByRole('button', { name: 'Modifier le compte de Denis Auditeur' }).click();
    await form.waitFor();
    equal(await form.getByLabel('Nom', { exact: true }).inputValue(), 'Denis Auditeur', 'the form holds the name');
    equal(await form.getByLabel('Rôle').inputValue(), 'auditor', 'the form holds the role');
    assert((await form.getByLabel('Organisation').locator('option:checked').textContent()) === 'Coopérative Delta', 'the organisation is Delta');
    equal(await form.getByLabel('Certifié jusqu’au').inputValue(), '2030-06-30', 'the form holds the certification');
    equal(await form.getByLabel('Nouveau mot de passe').inputValue(), '', 'no password');
    await form.getByLabel('Certifié jusqu’au').fill('2031-12-31');
    equal(JSON.stringify(await saveAndWatch()), JSON.stringify({ certified_until: '2031-12-31' }), 'only the changed field is sent');
    await page.locator('.message-success').filter({ hasText: 'Compte de Denis Auditeur modifié.' }).waitFor();
    await denis.filter({ hasText: 'jusqu’au 31 décembre 2031' }).waitFor();
    equal(await form.count(), 0, 'the form closes');
    equal(await page.evaluate(() => document.activeElement.textContent), 'Modifier le compte de Denis Auditeur', 'focus goes back to the row');

    // refused: an email the server rejects (the field is named), one taken by another account (409)
    await page.getByRole('button', { name: 'Modifier le compte de Denis Auditeur' }).click();
    await form.getByLabel('Adresse électronique').fill('denis delta.test');
    await save.click();
    await error('Le champ « Adresse électronique » n’est pas une adresse e-mail.');
    equal(await page.evaluate(() => document.activeElement.id), 'edit-email', 'the refused field has the focus');
    await form.getByLabel('Adresse électronique').fill(env.fixture.users.alpha.email);
    await save.click();
    await error('Cette adresse électronique est déjà celle d’un autre compte.');
    // refused before sending: a CAE member without organisation
    await form.getByLabel('Adresse électronique').fill('denis@delta.test');
    await form.getByLabel('Rôle').selectOption('cae');
    assert(await form.getByLabel('Certifié jusqu’au').isHidden(), 'the certification is for auditors only');
    await form.getByLabel('Organisation').selectOption({ label: 'Aucune' });
    await save.click();
    await error('Un membre de CAE appartient à une organisation : choisissez-la.');
    equal(await page.evaluate(() => document.activeElement.id), 'edit-org', 'the organisation has the focus');
    await shoot(page, 'admin-utilisateurs-modification', { scrollTo: '[data-testid="edit-user"]' });
    // the role, and a new password
    await form.getByLabel('Organisation').selectOption({ label: 'Coopérative Delta' });
    await form.getByLabel('Nouveau mot de passe').fill('un nouveau mot de passe');
    equal(JSON.stringify(await saveAndWatch()), JSON.stringify({ role: 'cae', certified_until: null, password: 'un nouveau mot de passe' }),
      'the role, the certification cleared (no longer an auditor) and the password are sent');
    await page.locator('.message-success').filter({ hasText: 'Ses sessions ouvertes sont fermées.' }).waitFor();
    await denis.filter({ hasText: 'Membre de CAE' }).filter({ hasText: 'Coopérative Delta' }).waitFor();
    const denisToken = await apiLogin(env.url, 'denis@delta.test', 'un nouveau mot de passe');

    // disabled: no login, the open session revoked; enabled again: the password works
    await page.getByRole('button', { name: 'Modifier le compte de Denis Auditeur' }).click();
    await form.getByLabel('Compte désactivé').check();
    equal(JSON.stringify(await saveAndWatch()), JSON.stringify({ disabled: true }), 'only the flag is sent');
    await page.locator('.message-success').filter({ hasText: 'Il est désactivé' }).waitFor();
    await denis.filter({ hasText: '(compte désactivé)' }).waitFor();
    equal((await apiCall(env.url, denisToken, 'GET', 'me')).status, 401, 'the disabled account\'s session is revoked');
    const refused = await fetch(`${env.url}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'denis@delta.test', password: 'un nouveau mot de passe' }) });
    equal(refused.status, 401, 'a disabled account cannot log in');
    await page.getByRole('button', { name: 'Modifier le compte de Denis Auditeur' }).click();
    assert(await form.getByLabel('Compte désactivé').isChecked(), 'the form shows the account disabled');
    await form.getByLabel('Compte désactivé').uncheck();
    equal(JSON.stringify(await saveAndWatch()), JSON.stringify({ disabled: false }), 'enabled again');
    await page.locator('.message-success').filter({ hasText: 'Il est réactivé.' }).waitFor();
    await apiLogin(env.url, 'denis@delta.test', 'un nouveau mot de passe');

    // the last administrator keeps the role
    await page.getByRole('button', { name: 'Modifier le compte d’Ada Admin' }).click();
    await form.getByLabel('Rôle').selectOption('committee');
    await save.click();
    await error('C’est le dernier compte d’administration du réseau');
    await form.getByRole('button', { name: 'Annuler' }).click();
    equal(await form.count(), 0, 'Annuler closes the form');
    assert((await page.locator('[data-testid="users"] tr').filter({ hasText: env.fixture.users.admin.email }).textContent()).includes('Administration du réseau'), 'the administrator is still one');
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();
  });

  test('committee: a committee role given by the administration waits until another member confirms it', async (env) => {
    const admin = await apiLogin(env.url, env.fixture.users.admin.email);
    const r = await apiCall(env.url, admin, 'POST', 'users', { email: 'dominique@reseau.test', name: 'Dominique Nouveau', role: 'committee', password: 'un mot de passe de test assez long' });
    equal(r.status, 201, 'the account is created');
    equal(r.body.pending_role, 'committee', 'its committee role waits');
    // the administration's list says so
    const page = await newPage(env);
    await login(page, env.fixture.users.admin.email);
    await page.goto('/#/admin/utilisateurs');
    const row = page.locator('[data-testid="users"] tr').filter({ hasText: 'dominique@reseau.test' });
    await row.waitFor();
    assert((await row.textContent()).includes('Aucun rôle (Comité de labellisation à confirmer)'), 'the row shows the role to confirm');
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();
    // a committee member confirms it from the committee's page
    const member = await newPage(env);
    await login(member, env.fixture.users.committee.email);
    await member.goto('/#/comite');
    const box = member.locator('[data-testid="role-confirmations"]');
    await box.getByRole('button', { name: 'Confirmer le rôle de Dominique Nouveau' }).click();
    await box.locator('.message-success').filter({ hasText: 'Rôle de Dominique Nouveau confirmé.' }).waitFor();
    const me = await apiCall(env.url, await apiLogin(env.url, 'dominique@reseau.test', 'un mot de passe de test assez long'), 'GET', 'me');
    equal(me.body.role, 'committee', 'the role is in effect');
    assert(member.errors.length === 0, `no script error: ${member.errors.join('; ')}`);
    await member.context().close();
  });

  test('public: the référentiel with the award rule in words, without login', async (env) => {
    const page = await newPage(env);
    await page.goto('/');
    await page.waitForSelector('h1');
    await shoot(page, 'accueil');
    await page.goto('/#/referentiel');
    await page.waitForSelector('.criterion-ref');
    equal(await page.locator('.criterion-ref').count(), 117, 'every criterion is listed');
    const rule = await page.textContent('#rule-title + ul');
    assert(rule.includes('50 %') && rule.includes('3 ans') && rule.includes('parties prenantes internes'), `the award rule in words: ${rule}`);
    await shoot(page, 'referentiel');
    await page.goto('/#/connexion');
    await page.reload();
    await page.waitForSelector('#login-email');
    await shoot(page, 'connexion');
    // keyboard: the skip link comes first, then reaches the content
    await page.keyboard.press('Tab');
    equal(await page.evaluate(() => document.activeElement.id), 'skip', 'the skip link is the first stop');
    await page.getByLabel('Adresse électronique').fill('personne@nulle.part');
    await page.getByLabel('Mot de passe').fill('mauvais mot de passe');
    await page.keyboard.press('Enter');
    await page.locator('.message-error').filter({ hasText: 'Adresse électronique ou mot de passe incorrect.' }).waitFor();
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();
  });
}
