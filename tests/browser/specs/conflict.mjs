// Spec 8: two tabs on one draft (issue 19). Both read the page; the first
// saves an answer; the second, which read it before, changes the same
// answer: its save is refused (412), says why, and the first save stands.
// Reloaded, the second tab saves.
import { test, assert, equal, newPage, login, apiLogin, apiCall } from '../lib.mjs';

const CRITERION = 'JF-02';

/** Beta's draft self-assessment, made when there is none. */
export async function draftOf(env, token) {
  const list = (await apiCall(env.url, token, 'GET', `assessments?organisation_id=${env.fixture.orgs.beta}`)).body;
  const draft = list.find((x) => x.status === 'draft' && x.kind === 'self_assessment');
  if (draft) return draft.id;
  const made = await apiCall(env.url, token, 'POST', `organisations/${env.fixture.orgs.beta}/assessments`, { kind: 'self_assessment' });
  equal(made.status, 201, 'beta starts a self-assessment');
  return made.body.id;
}

async function answer(page, status, state) {
  const card = page.locator(`[data-criterion="${CRITERION}"]`);
  await card.locator(`button[data-status="${status}"]`).click();
  await card.locator(`.save-state[data-state="${state}"]`).waitFor();
  return card.locator('.save-state').textContent();
}

export function register() {
  test('two tabs: the second save of an answer read before is refused and says why; the first stands', async (env) => {
    const beta = await apiLogin(env.url, env.fixture.users.beta.email);
    const id = await draftOf(env, beta);
    const put = await apiCall(env.url, beta, 'PUT', `assessments/${id}/answers/${CRITERION}`, { status: 'partial', comment: '', evidence: [] });
    equal(put.status, 200, 'an answer both tabs read');

    const one = await newPage(env);
    await login(one, env.fixture.users.beta.email);
    const two = await one.context().newPage();
    two.setDefaultTimeout(10000);
    two.errors = [];
    two.on('pageerror', (e) => two.errors.push(e.message));
    for (const page of [one, two]) {
      await page.goto(`/#/evaluations/${id}`);
      await page.locator(`[data-criterion="${CRITERION}"]`).waitFor();
    }
    await answer(one, 'met', 'saved');
    const refused = await answer(two, 'not_met', 'failed');
    assert(refused.includes('modifiée ailleurs') && refused.includes('Rechargez la page'), `the reason: ${refused}`);
    const after = (await apiCall(env.url, beta, 'GET', `assessments/${id}`)).body;
    equal(after.answers.find((x) => x.criterion === CRITERION).status, 'met', 'the first tab’s save stands');

    await two.reload();
    await two.locator(`[data-criterion="${CRITERION}"]`).waitFor();
    await answer(two, 'not_met', 'saved');
    const last = (await apiCall(env.url, beta, 'GET', `assessments/${id}`)).body;
    equal(last.answers.find((x) => x.criterion === CRITERION).status, 'not_met', 'saved after a reload');
    equal(two.errors.length + one.errors.length, 0, `page errors: ${one.errors.concat(two.errors).join('; ')}`);
  });
}
