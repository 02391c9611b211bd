// Spec 5 (after the four others): accessibility. axe-core (WCAG 2 A and AA
// rules) runs on every main page at 1280 px and 375 px wide and fails on any
// "serious" or "critical" violation (colour contrast included) and on a page
// wider than 375 px (reflow); the keyboard
// reaches every control of the login page and of a form, in order, each with
// a visible focus style.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test, assert, equal, newPage, login, apiLogin, apiCall, apiUpload } from '../lib.mjs';

const require = createRequire(import.meta.url);
// The page's Content-Security-Policy forbids inline scripts: axe is evaluated
// through the DevTools protocol instead of a <script> tag.
const AXE = readFileSync(join(dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');

async function settle(page, ready) {
  await page.waitForSelector(ready);
  await page.waitForFunction(() => document.querySelector('#main h1') && !document.querySelector('.loading'));
}

/** Runs axe on the page at both widths; returns the serious and critical violations, described. */
export async function audit(page, name) {
  const problems = [];
  const size = page.viewportSize();
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.waitForTimeout(100);
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')), summaries: v.nodes.map((n) => n.failureSummary) }));
    });
    if (width === 375) {
      // responsive: no horizontal scrolling of the page at 375 px (WCAG 1.4.10, reflow)
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      if (wide > 375) problems.push(`${name} @375px: the page is ${wide} px wide and scrolls sideways`);
    }
    for (const v of violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      const shown = v.targets.slice(0, 5).join(', ') + (v.targets.length > 5 ? `, … (${v.targets.length} in all)` : '');
      problems.push(`${name} @${width}px: ${v.id} [${v.impact}] ${v.help} — ${shown}\n       ${(v.summaries[0] || '').replace(/\n/g, ' ').slice(0, 240)}`);
    }
  }
  await page.setViewportSize(size);
  return problems;
}

/**
 * Tabs through the page from its start: every tabbable control in document
 * order (one stop per radio group), each showing a visible focus style.
 */
export async function keyboardWalk(page, label) {
  // a fresh load: nothing focused, the walk starts at the top of the document
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#main h1') && !document.querySelector('.loading'));
  await page.waitForTimeout(100);
  const expected = await page.evaluate(() => {
    const sel = 'a[href], button, input, select, textarea, summary, iframe, [tabindex]';
    const seenGroups = new Set();
    const list = [];
    let n = 0;
    for (const el of document.querySelectorAll(sel)) {
      if (el.tabIndex < 0 || el.disabled || el.type === 'hidden') continue;
      if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
      const closed = el.closest('details:not([open])');
      if (closed && !(el.tagName === 'SUMMARY' && el.parentElement === closed)) continue;
      if (el.type === 'radio') {
        const group = `${el.form ? 'f' : 'd'}:${el.name}`;
        const radios = [...document.querySelectorAll(`input[type="radio"][name="${CSS.escape(el.name)}"]`)].filter((r) => !r.disabled);
        const stop = radios.find((r) => r.checked) || radios[0];
        if (el !== stop || seenGroups.has(group)) continue;
        seenGroups.add(group);
      }
      el.dataset.kbd = String(n += 1);
      const cs = getComputedStyle(el);
      list.push({ kbd: el.dataset.kbd, what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} «${(el.labels && el.labels[0] ? el.labels[0].textContent : el.textContent || el.value || '').trim().slice(0, 40)}»`,
        style: [cs.outlineStyle, cs.outlineWidth, cs.outlineColor, cs.boxShadow].join('|') });
    }
    window.scrollTo(0, 0);
    return list;
  });
  assert(expected.length > 3, `${label}: tabbable controls found (${expected.length})`);
  const visited = [];
  for (let i = 0; i < expected.length; i += 1) {
    await page.keyboard.press('Tab');
    const got = await page.evaluate(() => {
      const el = document.activeElement;
      const cs = getComputedStyle(el);
      const visible = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1) || (cs.boxShadow && cs.boxShadow !== 'none');
      return { kbd: el.dataset.kbd || null, tag: el.tagName.toLowerCase(), id: el.id, style: [cs.outlineStyle, cs.outlineWidth, cs.outlineColor, cs.boxShadow].join('|'), visible };
    });
    const want = expected[i];
    equal(got.kbd, want.kbd, `${label}: Tab stop ${i + 1} is ${want.what} (got ${got.tag}#${got.id}; so far: ${visited.join(' → ')})`);
    assert(got.visible && got.style !== want.style, `${label}: ${want.what} shows a visible focus style (before: ${want.style}; focused: ${got.style})`);
    visited.push(want.what);
  }
  return expected.length;
}

export function register() {
  test('accessibility: setup: a new self-assessment, an audit in progress and an audit awaiting decision', async (env) => {
    const { orgs, users } = env.fixture;
    const alpha = await apiLogin(env.url, users.alpha.email);
    const committee = await apiLogin(env.url, users.committee.email);
    const auditor = await apiLogin(env.url, users.auditor.email);
    const self = await apiCall(env.url, alpha, 'POST', `organisations/${orgs.alpha}/assessments`, { kind: 'self_assessment' });
    env.state.a11ySelf = self.status === 201 ? self.body.id : env.state.selfId;
    const open = await apiCall(env.url, committee, 'POST', `organisations/${orgs.alpha}/assessments`, { kind: 'audit', auditor_id: users.auditor.id });
    equal(open.status, 201, 'the committee opens an audit');
    env.state.a11yAuditDraft = open.body.id;
    const second = await apiCall(env.url, committee, 'POST', `organisations/${orgs.beta}/assessments`, { kind: 'audit', auditor_id: users.auditor.id });
    equal(second.status, 201, 'the committee opens a second audit');
    const ref = await (await fetch(`${env.url}/api/v1/referential`)).json();
    await Promise.all(ref.criteria.map((c) => apiCall(env.url, auditor, 'PUT', `assessments/${second.body.id}/answers/${c.id}`, { status: 'met' })));
    const sub = await apiCall(env.url, auditor, 'POST', `assessments/${second.body.id}/submit`);
    assert(sub.status === 200 || sub.status === 201, `the auditor submits the second audit (${sub.status} ${JSON.stringify(sub.body).slice(0, 200)})`);
    env.state.a11yAuditSubmitted = second.body.id;
    const doc = await apiUpload(env.url, alpha, `organisations/${orgs.alpha}/documents`,
      { name: 'proces-verbal-ag-2026.txt', bytes: 'Procès-verbal de l’assemblée générale du 12 juin 2026\n' }, { title: 'Procès-verbal de l’AG 2026' });
    equal(doc.status, 201, 'Alpha adds a document to its library');
    // the auditor's notes, joined to a finding of the audit in progress
    const notes = await apiUpload(env.url, auditor, `organisations/${orgs.alpha}/documents`,
      { name: 'notes-entretiens.txt', bytes: 'Entretiens avec trois entrepreneurs-salariés\n' }, { title: 'Notes d’entretiens' });
    equal(notes.status, 201, 'the auditor adds a note to the audited CAE\'s library');
    const linked = await apiCall(env.url, auditor, 'PUT', `assessments/${open.body.id}/answers/JF-01`,
      { status: 'met', evidence: ['Statuts, article 3', { document: notes.body.id, pages: '2' }] });
    equal(linked.status, 200, `the auditor links it to a finding: ${JSON.stringify(linked.body).slice(0, 200)}`);
  });

  test('accessibility: public pages (home, référentiel, registry, certificate check, login) have no serious WCAG AA violation', async (env) => {
    const page = await newPage(env);
    const problems = [];
    const run = async (name, hash, ready, prepare) => {
      await page.goto(`/${hash}`);
      await settle(page, ready);
      if (prepare) await prepare(page);
      problems.push(...await audit(page, name));
    };
    await run('accueil', '#/', 'h1');
    await run('référentiel', '#/referentiel', '.criterion-ref');
    await run('registre', '#/registre', '[data-testid="registry"] tbody tr');
    await run('certificat', '#/certificat', '#main form', async (p) => {
      await p.getByLabel('Code de vérification').fill('0123456789abcdef-invente');
      await p.getByRole('button', { name: 'Vérifier' }).click();
      await p.locator('[data-testid="certificate-result"]').waitFor();
    });
    await run('connexion', '#/connexion', '#login-email');
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    assert(problems.length === 0, `${problems.length} accessibility violation(s):\n     ${problems.join('\n     ')}`);
    await page.context().close();
  });

  test('accessibility: the CAE\'s pages (dashboard, self-assessment, results, action plan, documents, « Mon compte ») have no serious WCAG AA violation', async (env) => {
    const page = await newPage(env);
    await login(page, env.fixture.users.alpha.email);
    const org = env.fixture.orgs.alpha;
    const problems = [];
    const run = async (name, hash, ready, prepare) => {
      await page.goto(`/${hash}`);
      await settle(page, ready);
      if (prepare) await prepare(page);
      problems.push(...await audit(page, name));
    };
    await run('tableau de bord', `#/cae/${org}`, '[data-testid="label-status"]');
    await run('auto-évaluation', `#/evaluations/${env.state.a11ySelf}`, '[data-criterion="JF-01"]', async (p) => {
      // one field open: the guidance of the first criterion and an answer given
      const details = p.locator('[data-criterion="JF-01"] details summary');
      if (await details.count()) await details.first().click();
      const b = p.locator('[data-criterion="JF-01"] button[data-status="met"]');
      if (await b.isEnabled()) await b.click();
      // its documents' panel open: a file, the library's picker, the pages
      await p.locator('[data-criterion="JF-01"] button[data-action="attach"]').click();
      await p.locator('[data-criterion="JF-01"] select option', { hasText: 'Procès-verbal' }).waitFor({ state: 'attached' });
    });
    await run('documents', `#/cae/${org}/documents`, '[data-testid="library"] tbody tr');
    await run('résultats', `#/evaluations/${env.state.auditId}/resultats`, '[data-testid="outcome"]');
    await run('plan d’action', `#/cae/${org}/plan-action`, '[data-testid="action-items"]');
    await run('mon compte', '#/compte', '#account-password', async (p) => {
      // a refusal shown: the message, the field marked invalid
      await p.getByLabel('Nouveau mot de passe', { exact: true }).fill('court');
      await p.getByRole('button', { name: 'Changer le mot de passe' }).click();
      await p.locator('[data-testid="password-result"] .message-error').waitFor();
    });
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    assert(problems.length === 0, `${problems.length} accessibility violation(s):\n     ${problems.join('\n     ')}`);
    await page.context().close();
  });

  test('accessibility: the auditor\'s audit page and « Mon compte », and the committee\'s pages (audits with the change of auditor open, decision, rule sets, reports) have no serious WCAG AA violation', async (env) => {
    const problems = [];
    const auditor = await newPage(env);
    await login(auditor, env.fixture.users.auditor.email);
    await auditor.goto(`/#/evaluations/${env.state.a11yAuditDraft}`);
    await settle(auditor, '[data-criterion="JF-01"] .doc-item');
    // a finding's documents, and its panel open (a new file, the pages)
    await auditor.locator('[data-criterion="JF-01"] button[data-action="attach"]').click();
    problems.push(...await audit(auditor, 'audit (auditeur)'));
    await auditor.goto('/#/compte');
    await settle(auditor, '[data-testid="account-identity"]');
    problems.push(...await audit(auditor, 'mon compte (auditeur)'));
    assert(auditor.errors.length === 0, `no script error: ${auditor.errors.join('; ')}`);
    await auditor.context().close();

    const page = await newPage(env);
    await login(page, env.fixture.users.committee.email);
    const run = async (name, hash, ready, prepare) => {
      await page.goto(`/${hash}`);
      await settle(page, ready);
      if (prepare) await prepare(page);
      problems.push(...await audit(page, name));
    };
    await run('audits et changement d’auditeur', '#/audits', `button[data-reassign="${env.state.a11yAuditDraft}"]`, async (p) => {
      await p.locator(`button[data-reassign="${env.state.a11yAuditDraft}"]`).click();
      await p.locator('[data-testid="reassign"]').waitFor();
    });
    await run('décision du comité', `#/comite/audits/${env.state.a11yAuditSubmitted}`, '#decide');
    await run('règles', '#/comite/regles', '[data-testid="ruleset-history"] tbody tr');
    await run('rapports', '#/rapports', '[data-testid="report-network-overview"]');
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    assert(problems.length === 0, `${problems.length} accessibility violation(s):\n     ${problems.join('\n     ')}`);
    await page.context().close();
  });

  test('accessibility: the administration pages (users and the account form, API tokens, webhooks) have no serious WCAG AA violation', async (env) => {
    const admin = await apiLogin(env.url, env.fixture.users.admin.email);
    equal((await apiCall(env.url, admin, 'POST', 'tokens', { name: 'Tableau de bord régional' })).status, 201, 'a token to list');
    const page = await newPage(env);
    await login(page, env.fixture.users.admin.email);
    const problems = [];
    const run = async (name, hash, ready, prepare) => {
      await page.goto(`/${hash}`);
      await settle(page, ready);
      if (prepare) await prepare(page);
      problems.push(...await audit(page, name));
    };
    await run('utilisateurs', '#/admin/utilisateurs', '[data-testid="users"]');
    await run('modification d’un compte', '#/admin/utilisateurs', '[data-testid="users"]', async (p) => {
      await p.getByRole('button', { name: 'Modifier le compte de Claire Durand' }).click();
      await p.locator('[data-testid="edit-user"]').waitFor();
    });
    await run('jetons', '#/admin/jetons', '[data-testid="tokens"] tbody tr', async (p) => {
      await p.getByRole('button', { name: 'Révoquer le jeton « Tableau de bord régional »' }).click();
    });
    await run('webhooks', '#/admin/webhooks', '[data-testid="webhooks"]');
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    assert(problems.length === 0, `${problems.length} accessibility violation(s):\n     ${problems.join('\n     ')}`);
    await page.context().close();
  });

  test('accessibility: the keyboard reaches every control of the login page and of the user form, in order, with a visible focus', async (env) => {
    const page = await newPage(env);
    await page.goto('/#/connexion');
    await settle(page, '#login-email');
    const n = await keyboardWalk(page, 'connexion');
    assert(n >= 6, `the login page has its controls (${n})`);
    await login(page, env.fixture.users.admin.email);
    await page.goto('/#/admin/utilisateurs');
    await settle(page, '[data-testid="users"]');
    await keyboardWalk(page, 'utilisateurs');
    await page.setViewportSize({ width: 375, height: 812 });
    await keyboardWalk(page, 'utilisateurs @375px');
    await page.context().close();
  });
}
