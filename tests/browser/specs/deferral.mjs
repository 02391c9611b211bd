// Spec 6 (last: it leaves a deferred audit of Coopérative Beta behind): the
// committee defers an audit from the decision page, naming the points to
// take up; the auditor finds them on the audit, which is theirs to edit
// again, and submits it anew; the committee finds it waiting once more.
import { test, assert, equal, newPage, login, shoot, apiLogin, apiCall } from '../lib.mjs';

export function register() {
  test('deferral: the committee names points, the auditor sees them on the reopened audit and submits again', async (env) => {
    const { users, orgs } = env.fixture;
    const committee = await apiLogin(env.url, users.committee.email);
    const auditor = await apiLogin(env.url, users.auditor.email);
    const opened = await apiCall(env.url, committee, 'POST', `organisations/${orgs.beta}/assessments`, { kind: 'audit', auditor_id: users.auditor.id });
    equal(opened.status, 201, 'the committee opens an audit of Coopérative Beta');
    const id = opened.body.id;
    const ref = await (await fetch(`${env.url}/api/v1/referential`)).json();
    for (const c of ref.criteria) {
      const r = await apiCall(env.url, auditor, 'PUT', `assessments/${id}/answers/${c.id}`, { status: 'met', comment: '', evidence: [] });
      equal(r.status, 200, `answer ${c.id}`);
    }
    equal((await apiCall(env.url, auditor, 'POST', `assessments/${id}/submit`)).status, 200, 'the auditor submits');

    const page = await newPage(env);
    await login(page, users.committee.email);
    await page.goto(`/#/comite/audits/${id}`);
    await page.waitForSelector('#decide');
    await page.locator('#outcome-deferred').check();
    await page.locator('#decide').click();
    const refused = await page.locator('.message-error').first().textContent();
    assert(refused.includes('nommez au moins un point'), `a deferral without points is explained: ${refused}`);
    await page.getByLabel(/En cas d’ajournement/).fill('Joindre le procès-verbal de la dernière assemblée.');
    await page.locator('#decide').click();
    const done = await page.locator('[data-testid="decision-done"]').textContent();
    assert(done.includes('revient à l’auditeur'), `the deferral is recorded: ${done}`);

    const mine = await newPage(env);
    await login(mine, users.auditor.email);
    await mine.goto(`/#/evaluations/${id}`);
    const note = mine.locator('[data-testid="deferral"]');
    await note.waitFor();
    assert((await note.textContent()).includes('Joindre le procès-verbal de la dernière assemblée.'), 'the auditor sees the point');
    await mine.getByText('Chaque réponse est enregistrée dès que vous la modifiez').waitFor();
    await shoot(mine, 'audit-deferred');
    equal((await apiCall(env.url, auditor, 'POST', `assessments/${id}/submit`)).status, 200, 'the auditor submits again');
    await page.goto('/#/comite');
    await page.locator(`[data-audit="${id}"]`).waitFor();
    equal(mine.errors.length + page.errors.length, 0, `no script error: ${mine.errors.concat(page.errors).join('; ')}`);
    await page.context().close();
    await mine.context().close();
  });
}
