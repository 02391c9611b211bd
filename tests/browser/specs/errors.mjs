// Spec 9: the refusals people meet read in French (issue 19). Real refusals
// of the server, provoked through the API as the pages would meet them, are
// read by the page's own errors.js: each one gets a French sentence of its
// own (not the status's general one) with no English left in it. Then one
// refusal in a page: the French sentence shown, the server's words folded.
import { test, assert, equal, newPage, login, apiLogin, apiCall } from '../lib.mjs';
import { draftOf } from './conflict.mjs';

const ENGLISH = /\b(must|only|the|is|not|no|already|your|this)\b/;

/** Each refusal: who asks, the request, the status expected. */
function refusals(env, ids) {
  const { orgs, users } = env.fixture;
  const answer = (body) => ['beta', 'PUT', `assessments/${ids.draft}/answers/JF-02`, { status: 'met', comment: '', evidence: [], ...body }];
  const item = (body) => ['beta', 'POST', `organisations/${orgs.beta}/action-items`, { criterion: 'JF-02', action: 'Réunir le CA', owner: 'Bruno', due: '2030-01-01', status: 'todo', ...body }];
  const user = (body) => ['admin', 'POST', 'users', { email: 'nouveau@beta.test', name: 'Nouveau', role: 'cae', organisation_id: orgs.beta, password: 'un mot de passe assez long', ...body }];
  return [
    [...answer({ status: 'bogus' }), 400],
    [...answer({ comment: 'x'.repeat(20000) }), 400],
    [...answer({ evidence: ['Statuts\u0001 2024'] }), 400],
    ['beta', 'PUT', `assessments/${ids.draft}/answers/XX-99`, { status: 'met', comment: '', evidence: [] }, 404],
    ['beta', 'PUT', 'me/password', { current: 'pas le bon mot de passe', new: 'court' }, 400],
    ['beta', 'PUT', 'me/password', { current: 'pas le bon mot de passe', new: 'un nouveau mot de passe assez long' }, 400],
    ['beta', 'GET', `organisations/${orgs.alpha}`, undefined, 403],
    ['beta', 'POST', `assessments/${ids.draft}/decision`, { outcome: 'refused' }, 403],
    ['committee', 'POST', `assessments/${ids.draft}/decision`, { outcome: 'refused' }, 409],
    ['committee', 'POST', `organisations/${orgs.beta}/assessments`, { kind: 'audit', auditor_id: users.beta.id }, 400],
    [...item({ due: '1999-01-01' }), 400],
    [...item({ action: '' }), 400],
    [...user({ email: users.alpha.email }), 409],
    [...user({ password: 'court' }), 400],
    [...user({ email: 'pas-une-adresse' }), 400],
    ['admin', 'POST', 'webhooks', { url: 'ftp://hooks.example.org/x' }, 400],
  ];
}

export function register() {
  test('errors: every refusal a page meets has a French sentence of its own, with no English in it', async (env) => {
    const tokens = {};
    for (const who of ['beta', 'committee', 'admin']) tokens[who] = await apiLogin(env.url, env.fixture.users[who].email);
    const ids = { draft: await draftOf(env, tokens.beta) };
    const seen = [];
    const wrong = await fetch(`${env.url}/api/v1/session`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: env.fixture.users.beta.email, password: 'pas le bon' }),
    });
    seen.push({ what: 'POST session (wrong password)', status: wrong.status, error: (await wrong.json()).error });
    for (const [who, method, path, body, status] of refusals(env, ids)) {
      const r = await apiCall(env.url, tokens[who], method, path, body);
      equal(r.status, status, `${who} ${method} ${path}: ${JSON.stringify(r.body)}`);
      seen.push({ what: `${who} ${method} ${path}`, status: r.status, error: r.body.error });
    }
    const page = await newPage(env);
    await page.goto('/');
    const read = await page.evaluate(async (list) => {
      const { errorText } = await import('/js/i18n.js');
      return list.map((x) => ({ ...x, fr: errorText({ status: x.status, apiMessage: x.error.message, path: x.error.path }) }));
    }, seen);
    for (const x of read) {
      assert(x.fr.reason, `${x.what}: no French sentence for "${x.error.message}"`);
      assert(!ENGLISH.test(x.fr.text), `${x.what}: English left in "${x.fr.text}"`);
      equal(x.fr.detail, x.error.message, `${x.what}: the server's words kept as the detail`);
    }
  });

  test('errors: a malformed webhook address is refused in French; the server\'s words stay folded', async (env) => {
    const page = await newPage(env);
    await login(page, env.fixture.users.admin.email);
    await page.goto('/#/admin/webhooks');
    await page.waitForSelector('[data-testid="webhooks"]');
    await page.getByLabel('Adresse de réception (URL)').fill('https://[::1');
    await page.getByRole('button', { name: 'Créer le point de réception' }).click();
    const box = page.locator('.message-error').filter({ hasText: 'L’adresse n’est pas une adresse web complète (https://…).' });
    await box.waitFor();
    const detail = box.locator('details.detail');
    equal(await detail.evaluate((d) => d.open), false, 'the server\'s words folded');
    equal(await detail.locator('code').textContent(), '$.url: not a valid absolute URL', 'and kept for support');
  });
}
