// Spec 1: the whole labelling flow in the browser: a CAE member self-assesses
// (117 criteria), reloads, submits and reads the outcome and the radar; the
// committee opens an audit; the auditor completes it; the committee awards
// the label; the registry and the CAE's dashboard show it with its validity.
import { execFileSync } from 'node:child_process';
import { test, assert, equal, newPage, login, shoot } from '../lib.mjs';

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
export function frDate(iso) {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return `${d === 1 ? '1er' : d} ${MONTHS[m - 1]} ${y}`;
}

/** The planned self-assessment: mostly met, a few of each other answer, one mandatory partial. */
function plan(criteria) {
  const answers = {};
  let na = false;
  let mandatoryPartial = null;
  criteria.forEach((c, i) => {
    let st = 'met';
    if (c.level === 'recommended' && i % 4 === 0) st = 'partial';
    if (c.level === 'advised' && i % 3 === 0) st = 'not_met';
    if (c.na_allowed && !na) { st = 'not_applicable'; na = true; }
    if (c.level === 'mandatory' && c.field === 'RH' && !mandatoryPartial) { st = 'partial'; mandatoryPartial = c.id; }
    answers[c.id] = st;
  });
  return { answers, mandatoryPartial };
}

async function answerAll(page, answers) {
  for (const [id, st] of Object.entries(answers)) {
    await page.locator(`[data-criterion="${id}"] button[data-status="${st}"]`).click();
  }
}

async function waitSaved(page, done) {
  await page.waitForSelector(`.overall-text[data-done="${done}"]`);
  await page.waitForSelector('#save-global[data-state="saved"]', { timeout: 20000 });
}

export function register() {
  test('labelling: a CAE member answers the 117 criteria, reloads and finds every answer', async (env) => {
    const ref = await (await fetch(`${env.url}/api/v1/referential`)).json();
    equal(ref.criteria.length, 117, 'criteria in the référentiel');
    const { answers, mandatoryPartial } = plan(ref.criteria);
    env.state.mandatoryPartial = mandatoryPartial;
    const page = await newPage(env);
    env.state.cae = page;
    await login(page, env.fixture.users.alpha.email);
    await page.waitForSelector('[data-testid="label-status"]');
    assert((await page.textContent('[data-testid="label-status"]')).includes('Non engagée'), 'a new CAE is "Non engagée"');
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Auto-évaluation' }).click();
    await page.locator('#start').click();
    await page.waitForSelector('[data-criterion="JF-01"]');
    env.state.selfId = Number(/#\/evaluations\/(\d+)/.exec(page.url())[1]);
    equal(await page.locator('article.criterion').count(), 117, 'criterion cards');
    await shoot(page, 'auto-evaluation');

    // a comment and evidence on the first criterion of each field
    const firsts = ref.fields.map((f) => ref.criteria.find((c) => c.field === f.id).id);
    const comments = {};
    for (const id of firsts) {
      comments[id] = `Commentaire sur ${id} : « à l'épreuve » & <b>pas du HTML</b>`;
      await page.locator(`#comment-${id}`).fill(comments[id]);
      await page.locator(`#evidence-${id}`).fill(`Statuts 2024, article 3\nPV d'AG du 12 juin 2025`);
      await page.locator(`#evidence-${id}`).press('Tab');
    }
    const notice = await page.textContent(`[data-criterion="${firsts[0]}"] .save-state`);
    assert(/réponse pour enregistrer|Enregistr/.test(notice), `a comment without an answer says so (${notice})`);
    await answerAll(page, answers);
    await waitSaved(page, 117);
    equal(await page.textContent('#save-global'), 'Enregistré', 'the visible saved state');

    await shoot(page, 'auto-evaluation-criteres', { scrollTo: `[data-criterion="${firsts[0]}"]` });
    await page.reload();
    await page.waitForSelector('.overall-text[data-done="117"]');
    const seen = await page.$$eval('article.criterion', (cards) => cards.map((c) => ({
      id: c.dataset.criterion,
      status: (c.querySelector('button[aria-pressed="true"]') || {}).dataset?.status || null,
      comment: c.querySelector('textarea.comment').value,
      evidence: c.querySelector('textarea.evidence').value,
    })));
    equal(seen.length, 117, 'cards after reload');
    for (const s of seen) {
      equal(s.status, answers[s.id], `answer of ${s.id} after reload`);
      if (comments[s.id]) {
        equal(s.comment, comments[s.id], `comment of ${s.id} after reload`);
        equal(s.evidence, 'Statuts 2024, article 3\nPV d\'AG du 12 juin 2025', `evidence of ${s.id} after reload`);
      }
    }
    const bars = await page.$$eval('.field-head [role="progressbar"]', (b) => b.map((x) => x.getAttribute('aria-valuetext')));
    equal(bars.length, 6, 'a progress bar per field');
    assert(bars.every((t) => /^(\d+) sur \1$/.test(t)), `every field complete: ${bars.join(', ')}`);
  });

  test('labelling: the CAE submits and sees the outcome, the radar chart and adds a failed criterion to its plan', async (env) => {
    const page = env.state.cae;
    await page.locator('#submit-open').click();
    await page.locator('#submit-confirm').click();
    await page.waitForURL(/resultats/);
    await page.waitForSelector('[data-testid="outcome"]');
    const outcome = await page.textContent('[data-testid="outcome"]');
    assert(outcome.includes('Non éligible'), `outcome shown: ${outcome.slice(0, 200)}`);
    assert(outcome.includes(env.state.mandatoryPartial), 'the reasons name the failed mandatory criterion');
    equal(await page.locator('svg.radar circle.radar-point').count(), 6, 'radar points');
    assert((await page.getAttribute('svg.radar', 'role')) === 'img', 'the radar is an image for assistive technology');
    await shoot(page, 'resultats');
    const add = page.locator(`[data-add-action="${env.state.mandatoryPartial}"]`);
    await add.click();
    await page.waitForFunction((id) => document.querySelector(`[data-add-action="${id}"]`).textContent.includes('Ajouté'), env.state.mandatoryPartial);

    // the self-assessment's page offers its own report, which says what it is (issue 17)
    await page.goto(`/#/evaluations/${env.state.selfId}`);
    const report = page.locator('[data-testid="report-pdf"]');
    await report.waitFor();
    equal((await report.textContent()).trim(), 'Rapport d’autoévaluation (PDF)', 'the report button');
    const [dl] = await Promise.all([page.waitForEvent('download'), report.click()]);
    const text = execFileSync('pdftotext', [await dl.path(), '-']).toString('utf8');
    assert(text.includes('Rapport d\'autoévaluation'), `the report's title: ${text.slice(0, 200)}`);
    assert(!text.includes('soumis au comité') && !text.includes('Rapport d\'audit'), `an audit's words: ${text.slice(0, 600)}`);

    await page.goto(`/#/cae/${env.fixture.orgs.alpha}/plan-action`);
    await page.waitForSelector('[data-testid="action-items"] .action-item');
    const item = page.locator('.action-item').filter({ hasText: env.state.mandatoryPartial });
    equal(await item.count(), 1, 'the action item of the failed criterion');
    await item.getByLabel('État').selectOption('doing');
    await item.getByLabel('Responsable').fill('Alice Martin');
    await item.getByLabel('Responsable').press('Tab');
    await item.locator('.save-state[data-state="saved"]').waitFor();
    await shoot(page, 'plan-action');
  });

  test('labelling: the committee opens an audit, the auditor completes it with stakeholders and submits', async (env) => {
    const committee = await newPage(env);
    env.state.committee = committee;
    await login(committee, env.fixture.users.committee.email);
    await committee.goto('/#/audits');
    await committee.getByLabel('CAE auditée').selectOption({ label: 'Coopérative Alpha' });
    // the committee picks a certified auditor from the users (GET /users)
    const picker = committee.getByLabel('Auditeur ou auditrice');
    const offered = await picker.locator('option').allTextContents();
    assert(offered.some((t) => t.includes('Claire Durand') && t.includes('31 décembre 2099')), `the certified auditor is offered: ${offered.join(' | ')}`);
    await picker.selectOption(String(env.fixture.users.auditor.id));
    await committee.getByRole('button', { name: 'Ouvrir l’audit' }).click();
    const ok = await committee.locator('.message-success').textContent();
    const auditId = Number(/Audit n° (\d+)/.exec(ok)[1]);
    env.state.auditId = auditId;
    await shoot(committee, 'comite-audits');

    const auditor = await newPage(env);
    await login(auditor, env.fixture.users.auditor.email);
    await auditor.waitForSelector('[data-testid="audits"]');
    await shoot(auditor, 'auditeur-audits');
    await auditor.locator(`a[data-audit="${auditId}"]`).click();
    await auditor.waitForSelector('[data-criterion="JF-01"]');
    // the CAE's submitted self-assessment beside each finding (GET /assessments?organisation_id=)
    equal(await auditor.locator('[data-testid="self-answer"]').count(), 117, 'the CAE\'s answer beside every criterion');
    assert(!(await auditor.textContent('main')).includes('masquée'), 'no "hidden" note any more');
    const partial = await auditor.textContent(`[data-criterion="${env.state.mandatoryPartial}"] [data-testid="self-answer"]`);
    assert(partial.includes('Partiellement'), `the CAE's "partial" answer on ${env.state.mandatoryPartial}: ${partial}`);
    const first = await auditor.textContent('[data-criterion="JF-01"] [data-testid="self-answer"]');
    assert(first.includes('Commentaire sur JF-01') && first.includes('Statuts 2024, article 3'), `the CAE's comment and evidence: ${first}`);
    assert((await auditor.textContent('[data-testid="self-intro"]')).includes(`auto-évaluation n° ${env.state.selfId}`), 'the self-assessment is named');
    await shoot(auditor, 'audit-auto-evaluation', { scrollTo: '[data-criterion="JF-01"]' });
    const ref = await (await fetch(`${env.url}/api/v1/referential`)).json();
    await answerAll(auditor, Object.fromEntries(ref.criteria.map((c) => [c.id, 'met'])));
    await waitSaved(auditor, 117);
    await auditor.getByLabel('Nom (personne 1)').fill('Dominique Leroy');
    await auditor.getByLabel('Qualité (personne 1)').fill('Entrepreneure-salariée');
    await auditor.getByRole('button', { name: 'Ajouter une personne' }).click();
    await auditor.getByLabel('Nom (personne 2)').fill('Paul Girard');
    await auditor.getByLabel('Qualité (personne 2)').fill('Associé');
    await auditor.getByRole('button', { name: 'Enregistrer les parties prenantes' }).click();
    await auditor.locator('#stakeholders .message-success').waitFor();
    await shoot(auditor, 'audit');
    await auditor.locator('#submit-open').click();
    await auditor.locator('#submit-confirm').click();
    await auditor.waitForURL(/resultats/);
    const outcome = await auditor.textContent('[data-testid="outcome"]');
    assert(outcome.includes('Éligible au label'), `the audit is eligible: ${outcome.slice(0, 200)}`);
    await auditor.context().close();
  });

  test('labelling: the committee sees the computed outcome and awards the label', async (env) => {
    const page = env.state.committee;
    await page.goto('/#/comite');
    const card = page.locator(`[data-audit="${env.state.auditId}"]`);
    await card.waitFor();
    const text = await card.textContent();
    assert(text.includes('Éligible au label') && text.includes('critères obligatoires'), `outcome and reasons: ${text.slice(0, 200)}`);
    await shoot(page, 'comite-decisions');
    await card.getByRole('link', { name: /Décider/ }).click();
    await page.waitForSelector('#decide');
    assert(await page.isChecked('#outcome-awarded'), 'an eligible audit proposes the award');
    await page.getByLabel('Recommandations (une par ligne)').fill('Formaliser le parcours d’intégration des entrepreneurs.\nPublier le rapport annuel.');
    await page.getByRole('button', { name: 'Ajouter une bonne pratique' }).click();
    await page.getByLabel('Critère (bonne pratique 1)').selectOption('JF-01');
    await page.getByLabel('Bonne pratique 1', { exact: true }).fill('Des statuts relus chaque année avec les associés.');
    await shoot(page, 'comite-decision');
    await page.locator('#decide').click();
    const done = await page.locator('[data-testid="decision-done"]').textContent();
    assert(done.includes('Label attribué à Coopérative Alpha') && done.includes('valable jusqu’au'), `decision shown: ${done}`);
    const labels = await (await fetch(`${env.url}/api/v1/public/labels`)).json();
    const alpha = labels.find((l) => l.organisation === 'Coopérative Alpha');
    assert(alpha && alpha.status === 'labelled', 'the API registry has the label');
    env.state.validUntil = alpha.valid_until;
    assert(done.includes(frDate(alpha.valid_until)), `the validity date ${frDate(alpha.valid_until)} is shown`);
  });

  test('labelling: the public registry shows the label with its validity', async (env) => {
    const page = await newPage(env);
    await page.goto('/#/registre');
    const row = page.locator('[data-testid="registry"] tr').filter({ hasText: 'Coopérative Alpha' });
    await row.waitFor();
    const text = await row.textContent();
    assert(text.includes('Labellisée') && text.includes(`jusqu’au ${frDate(env.state.validUntil)}`), `registry row: ${text}`);
    equal(await page.locator('[data-testid="registry"] tbody tr').count(), 1, 'only labelled CAEs are public');
    await shoot(page, 'registre');
    await page.context().close();
  });

  test('labelling: the CAE sees the label on its dashboard', async (env) => {
    const page = env.state.cae;
    await page.goto(`/#/cae/${env.fixture.orgs.alpha}`);
    const box = page.locator('[data-testid="label-status"]');
    await box.waitFor();
    const text = await box.textContent();
    assert(text.includes('Labellisée') && text.includes(`valable jusqu’au ${frDate(env.state.validUntil)}`), `dashboard: ${text}`);
    equal(await page.locator('svg.radar circle.radar-point').count(), 6, 'the latest scores as a radar');
    await shoot(page, 'tableau-de-bord');
    await page.goto(`/#/evaluations/${env.state.auditId}/resultats`);
    await page.waitForSelector('[data-testid="decision"]');
    assert((await page.textContent('[data-testid="decision"]')).includes('Publier le rapport annuel.'), 'the CAE reads the recommendations');
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();
    await env.state.committee.context().close();
  });

}
