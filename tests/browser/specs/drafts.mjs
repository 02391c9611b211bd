// Spec 5: a rule change never locks anyone's work (issue 17). Runs after
// audits.mjs: Coopérative Alpha holds a label awarded in labelling.mjs. Beta
// starts a self-assessment, then the committee activates rules that differ
// by a comment only; Beta's draft stays
// editable under its own rules, says that newer rules exist, shows what
// moving to them would change, and moves; the what-if says Alpha's label is
// kept.
import { test, assert, equal, newPage, login, shoot, apiLogin, apiCall } from '../lib.mjs';

/** A new draft self-assessment of Beta, under the active rules. */
async function betaDraft(env, token) {
  const created = await apiCall(env.url, token, 'POST', `organisations/${env.fixture.orgs.beta}/assessments`, { kind: 'self_assessment' });
  equal(created.status, 201, 'beta starts a self-assessment');
  return created.body;
}

/** Activates the active rules again with a comment added to award.lua; returns the new hash. */
async function activateComment(env, committee) {
  const active = (await apiCall(env.url, committee, 'GET', 'referential')).body.ruleset;
  const files = (await apiCall(env.url, committee, 'GET', `rulesets/${active}`)).body.files;
  files['award.lua'] += '\n-- Relu par le Comité : aucun changement de fond.\n';
  const r = await apiCall(env.url, committee, 'POST', 'rulesets', { files, note: 'Un commentaire ajouté, rien d’autre.' });
  equal(r.status, 201, `comment-only activation: ${JSON.stringify(r.body)}`);
  assert(r.body.ruleset !== active, 'a comment makes another rule set');
  return { from: active, to: r.body.ruleset };
}

export function register() {
  test('drafts: after a comment-only activation a draft stays editable, says newer rules exist and moves to them', async (env) => {
    const beta = await apiLogin(env.url, env.fixture.users.beta.email);
    const committee = await apiLogin(env.url, env.fixture.users.committee.email);
    const { id, ruleset } = await betaDraft(env, beta);
    const { from, to } = await activateComment(env, committee);
    equal(ruleset, from, 'the draft was opened under the rules active before');
    equal((await apiCall(env.url, beta, 'GET', `assessments/${id}`)).body.ruleset, from, 'the draft keeps its rules');

    const page = await newPage(env);
    await login(page, env.fixture.users.beta.email);
    await page.goto(`/#/evaluations/${id}`);
    const notice = page.locator('[data-testid="newer-rules"]');
    await notice.waitFor();
    const text = await notice.textContent();
    assert(text.includes('De nouvelles règles du label sont actives') && text.includes('reste modifiable'), `the notice: ${text}`);
    const body = await page.textContent('main');
    assert(!body.includes('ne peut plus être modifiée'), 'no "ne peut plus être modifiée" on the draft');
    const whatif = await page.locator('[data-testid="draft-whatif"]').textContent();
    assert(whatif.includes('rien ne change'), `a comment changes nothing for it: ${whatif}`);

    // An answer given in the page is saved under the draft's own rules.
    const card = page.locator('[data-criterion="JF-01"]');
    const pressed = await card.locator('button[aria-pressed="true"]').getAttribute('data-status').catch(() => null);
    const status = pressed === 'partial' ? 'met' : 'partial';
    await card.locator(`button[data-status="${status}"]`).click();
    await card.locator('.save-state[data-state="saved"]').waitFor();
    await page.locator('#save-global[data-state="saved"]').waitFor();
    const saved = (await apiCall(env.url, beta, 'GET', `assessments/${id}`)).body;
    equal(saved.answers.find((x) => x.criterion === 'JF-01').status, status, 'the answer is saved');
    equal(saved.ruleset, from, 'still under its own rules');
    await shoot(page, 'brouillon-nouvelles-regles', { scrollTo: '[data-testid="newer-rules"]' });

    // Moving to the newer rules: the notice goes, the page stays editable.
    await page.getByRole('button', { name: 'Passer aux nouvelles règles' }).click();
    await notice.waitFor({ state: 'detached' });
    await card.locator(`button[data-status="${status}"][aria-pressed="true"]`).waitFor();
    equal((await apiCall(env.url, beta, 'GET', `assessments/${id}`)).body.ruleset, to, 'the draft moved to the active rules');
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();
  });

  test('drafts: the simulation says that a label awarded under the old rules is kept', async (env) => {
    const page = await newPage(env);
    await login(page, env.fixture.users.committee.email);
    await page.goto('/#/comite/regles/simulation');
    const award = page.locator('details[data-file="award.lua"]');
    await award.waitFor();
    await award.locator('summary').click();
    const ta = award.getByLabel('Contenu de award.lua');
    const text = await ta.inputValue();
    // Out of reach for everyone: every eligible CAE would become not eligible.
    await ta.fill(text.replace(/recommended_threshold = [\d.]+/, 'recommended_threshold = 1.01'));
    await page.getByRole('button', { name: 'Simuler les effets' }).click();
    const alpha = page.locator('[data-testid="whatif-changed"] tbody tr').filter({ hasText: 'Coopérative Alpha' }).filter({ hasText: 'Audit' });
    await alpha.waitFor();
    const row = await alpha.textContent();
    assert(row.includes('Non éligible') && row.includes('label attribué conservé'), `Alpha keeps its label: ${row}`);
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();
  });
}
