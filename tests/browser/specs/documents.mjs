// Spec 10 (after the others): evidence documents (issue 20). A CAE of its own
// (Coopérative Delta, made here) joins a real small PDF to a criterion card
// of its self-assessment with the file picker: it is uploaded with its
// progress, added to the library and linked; the card shows it (title, size,
// date, a link that opens it), the answer saved names it, the library page
// lists it and takes a new version. An HTML file is refused in French (415,
// the type found and the types accepted). The auditor of Delta's audit
// sees, beside a finding, the documents the CAE linked and opens one (its
// content answers 200 with the bytes); the committee finds the documents
// the findings link on its decision page.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, assert, equal, newPage, login, shoot, apiLogin, apiCall, tempDir, removeDir, PASSWORD } from '../lib.mjs';

/** A small, valid PDF of about 3 KB (a page with a line of text, padded by a comment). */
function pdfBytes(text) {
  const stream = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = `%PDF-1.4\n%${'x'.repeat(2400)}\n`;
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((n) => `${String(n).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** n bytes in the page's words ("2,8 Ko"), as i18n.js writes them. */
function ko(n) {
  return `${(n / 1024).toFixed(1).replace('.', ',').replace(/,0$/, '')} Ko`;
}

/** Delta, its CAE member, a self-assessment of it and an audit of it (the fixture's auditor). */
async function delta(env) {
  if (env.state.delta) return env.state.delta;
  const admin = await apiLogin(env.url, env.fixture.users.admin.email);
  const committee = await apiLogin(env.url, env.fixture.users.committee.email);
  const org = await apiCall(env.url, admin, 'POST', 'organisations', { name: 'Coopérative Delta', legal_form: 'SCOP SA', city: 'Rennes',
    region: 'Bretagne', member_since: '2018-09-01' });
  equal(org.status, 201, `the admin creates Delta: ${JSON.stringify(org.body)}`);
  const email = 'denise@delta.test';
  const user = await apiCall(env.url, admin, 'POST', 'users', { email, name: 'Denise Roux', role: 'cae', organisation_id: org.body.id, password: PASSWORD });
  equal(user.status, 201, `the admin creates Delta's member: ${JSON.stringify(user.body)}`);
  const cae = await apiLogin(env.url, email);
  const self = await apiCall(env.url, cae, 'POST', `organisations/${org.body.id}/assessments`, { kind: 'self_assessment' });
  equal(self.status, 201, 'Delta starts a self-assessment');
  const audit = await apiCall(env.url, committee, 'POST', `organisations/${org.body.id}/assessments`, { kind: 'audit', auditor_id: env.fixture.users.auditor.id });
  equal(audit.status, 201, 'the committee opens an audit of Delta');
  const dir = tempDir();
  env.state.delta = { org: org.body.id, email, cae, self: self.body.id, audit: audit.body.id, dir, committee };
  return env.state.delta;
}

/** The bytes a link of the page answers, fetched with the page's session: {status, type, bytes}. */
async function fetchLink(page, href) {
  return page.evaluate(async (url) => {
    const r = await fetch(url, { credentials: 'same-origin' });
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('Content-Type'), bytes: Array.from(b) };
  }, href);
}

export function register() {
  test('documents: a PDF joined to a criterion card by the file picker is uploaded, linked, shown on the card and in the library', async (env) => {
    const d = await delta(env);
    const pdf = pdfBytes('Statuts de la Cooperative Delta');
    const path = join(d.dir, 'statuts-delta.pdf');
    writeFileSync(path, pdf);

    const page = await newPage(env);
    await login(page, d.email);
    await page.goto(`/#/evaluations/${d.self}`);
    const card = page.locator('[data-criterion="JF-01"]');
    await card.waitFor();
    await card.locator('button[data-status="met"]').click();
    await card.locator('.save-state[data-state="saved"]').waitFor();
    await card.getByRole('button', { name: 'Joindre un document au critère JF-01' }).click();
    equal(await card.locator('button[data-action="attach"]').getAttribute('aria-expanded'), 'true', 'the panel says it is open');
    const chooser = page.waitForEvent('filechooser');
    await card.getByRole('button', { name: 'Choisir un fichier' }).click();
    await (await chooser).setFiles(path);

    // linked: the card lists it, with its size in French units and its date
    const item = card.locator('.doc-list .doc-item');
    await item.waitFor();
    const text = await item.textContent();
    assert(text.includes('statuts-delta') && text.includes('PDF') && text.includes(ko(pdf.length)) && text.includes('dernière version'),
      `the card lists the document: ${text}`);
    await card.locator('.attach-out .message-success').waitFor();
    await card.locator('.save-state[data-state="saved"]').waitFor();
    await page.locator('#save-global[data-state="saved"]').waitFor();
    const saved = (await apiCall(env.url, d.cae, 'GET', `assessments/${d.self}`)).body.answers.find((x) => x.criterion === 'JF-01');
    const entry = saved.evidence.find((x) => typeof x === 'object' && x.document);
    assert(entry, `the answer names the document: ${JSON.stringify(saved.evidence)}`);
    d.document = entry.document;

    // the link opens the PDF in a new tab; its content is the file's bytes
    const open = item.locator('a.doc-open');
    equal(await open.getAttribute('target'), '_blank', 'a PDF opens in a new tab');
    const got = await fetchLink(page, await open.getAttribute('href'));
    equal(got.status, 200, 'the content is served');
    equal(got.type, 'application/pdf', 'as a PDF');
    assert(Buffer.from(got.bytes).equals(pdf), 'the bytes are the file\'s');
    await shoot(page, 'documents-critere', { scrollTo: '[data-criterion="JF-01"]' });

    // after a reload the card still shows it (from the answer saved)
    await page.reload();
    await card.locator('.doc-list .doc-item').filter({ hasText: 'statuts-delta' }).waitFor();

    // another criterion links it from the library: version 1, pages 3-5; then unlinks it
    const other = page.locator('[data-criterion="JF-02"]');
    await other.locator('button[data-status="partial"]').click();
    await other.locator('button[data-action="attach"]').click();
    await other.getByLabel('Pages concernées (facultatif)').fill('3-5');
    await other.getByLabel('Ou un document de la bibliothèque').selectOption(String(d.document));
    await other.getByLabel('Version').selectOption('1');
    await other.getByRole('button', { name: 'Joindre ce document' }).click();
    const linked = other.locator('.doc-list .doc-item');
    await linked.waitFor();
    assert((await linked.textContent()).includes('version 1 · pages 3-5'), `the link says its version and pages: ${await linked.textContent()}`);
    await other.locator('.save-state[data-state="saved"]').waitFor();
    await page.locator('#save-global[data-state="saved"]').waitFor();
    const jf02 = () => apiCall(env.url, d.cae, 'GET', `assessments/${d.self}`)
      .then((r) => r.body.answers.find((x) => x.criterion === 'JF-02').evidence.filter((x) => typeof x === 'object'));
    const links = await jf02();
    equal(links.length, 1, 'JF-02 links one document');
    assert(links[0].document === d.document && links[0].version === 1 && links[0].pages === '3-5', `the link saved: ${JSON.stringify(links[0])}`);
    await linked.getByRole('button', { name: 'Retirer le document « statuts-delta »' }).click();
    await other.locator('.doc-list').waitFor({ state: 'detached' });
    await other.locator('.save-state[data-state="saved"]').waitFor();
    await page.locator('#save-global[data-state="saved"]').waitFor();
    equal((await jf02()).length, 0, 'unlinked');

    // the results page lists the documents of the answers, criterion by criterion
    await page.goto(`/#/evaluations/${d.self}/resultats`);
    const seen = page.locator('[data-testid="documents-seen"] li[data-criterion="JF-01"] .doc-item', { hasText: 'statuts-delta' });
    await seen.waitFor();
    equal(await page.locator('#docs-seen').textContent(), 'Documents joints aux réponses', 'a self-assessment\'s answers');

    // the library lists it: title, type, size, date, versions
    await page.goto(`/#/cae/${d.org}/documents`);
    const row = page.locator(`[data-testid="library"] tr[data-document="${d.document}"]`);
    await row.waitFor();
    const cells = await row.locator('th, td').allTextContents();
    assert(cells[0].includes('statuts-delta') && cells[1] === 'PDF' && cells[2] === ko(pdf.length) && /\d{4}$/.test(cells[3]) && cells[4] === '1',
      `the library row: ${JSON.stringify(cells)}`);
    assert(await page.locator('#nav a[aria-current="page"]', { hasText: 'Documents' }).count() === 1, 'the navigation names the page');

    // a new version from its row: the versions unfold, each opens
    const v2 = join(d.dir, 'statuts-delta-2026.pdf');
    writeFileSync(v2, pdfBytes('Statuts de la Cooperative Delta, version 2026'));
    const chooser2 = page.waitForEvent('filechooser');
    await row.getByRole('button', { name: 'Nouvelle version de « statuts-delta »' }).click();
    await (await chooser2).setFiles(v2);
    await page.locator('[data-testid="library"]').locator('..').locator('.message-success', { hasText: 'Version 2' }).waitFor();
    const row2 = page.locator(`[data-testid="library"] tr[data-document="${d.document}"]`);
    await row2.locator('details.versions summary').click();
    await row2.locator('.doc-versions li a').nth(1).waitFor();
    equal(await row2.locator('.doc-versions li a').count(), 2, 'both versions are listed');
    const first = await fetchLink(page, await row2.locator('.doc-versions li a', { hasText: 'Version 1' }).getAttribute('href'));
    assert(Buffer.from(first.bytes).equals(pdf), 'version 1 keeps its bytes');
    await shoot(page, 'documents-bibliotheque');
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();
  });

  test('documents: an HTML file is refused in French (the type found, the types accepted); a file dropped goes through after a retry; deletion asks first; a slow upload shows its progress', async (env) => {
    const d = await delta(env);
    const path = join(d.dir, 'page.html');
    writeFileSync(path, '<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n');
    const page = await newPage(env);
    await login(page, d.email);
    await page.goto(`/#/cae/${d.org}/documents`);
    await page.locator('[data-testid="library"]').waitFor();
    await page.setInputFiles('#document-file', path);
    equal(await page.inputValue('#document-title'), 'page', 'the title is taken from the file name');
    await page.getByRole('button', { name: 'Ajouter à la bibliothèque' }).click();
    const refused = page.locator('#main .message-error').first();
    await refused.waitFor();
    const said = await refused.locator('p').first().textContent();
    assert(said.includes('Ce type de fichier est refusé') && said.includes('Page web HTML') && said.includes('text/html') && said.includes('PDF'),
      `the refusal in French: ${said}`);
    await shoot(page, 'documents-refus');

    // a file dropped on the drop zone; the connection fails on the first
    // try: « Réessayer l’envoi » sends it again
    const zone = page.locator('#main form .dropzone');
    const dropped = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['Notes de préparation de l’assemblée générale\n'], 'brouillon_AG.txt', { type: 'text/plain' }));
      return dt;
    });
    await zone.dispatchEvent('dragenter', { dataTransfer: dropped });
    assert(await zone.evaluate((z) => z.classList.contains('drag-over')), 'the zone shows a file is dragged over it');
    await zone.dispatchEvent('drop', { dataTransfer: dropped });
    await page.locator('#document-chosen', { hasText: 'brouillon_AG.txt' }).waitFor();
    equal(await page.inputValue('#document-title'), 'brouillon AG', 'the title follows the file dropped');
    let cut = 0;
    await page.route('**/api/v1/organisations/*/documents', (route) => {
      if (route.request().method() === 'POST' && cut++ === 0) return route.abort('connectionreset');
      return route.continue();
    });
    await page.getByRole('button', { name: 'Ajouter à la bibliothèque' }).click();
    const again = page.getByRole('button', { name: 'Réessayer l’envoi' });
    await again.waitFor();
    assert((await page.locator('#main .message-error').first().textContent()).includes('injoignable'), 'the failure is said');
    await again.click();
    const row = page.locator('[data-testid="library"] tbody tr', { hasText: 'brouillon AG' });
    await row.waitFor();
    equal(cut, 2, 'sent twice: cut, then through');
    await page.unroute('**/api/v1/organisations/*/documents');

    // a document no submitted assessment links: deleted after a confirmation
    await row.locator('button[data-action="delete-document"]').click();
    await row.locator('button[data-action="confirm-delete-document"]').click();
    await row.waitFor({ state: 'detached' });

    // a slow line (100 KB/s up): the upload shows its progress as the bytes leave, and goes through
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 100, downloadThroughput: 200000, uploadThroughput: 100000 });
    const big = join(d.dir, 'registre-des-associes.txt');
    writeFileSync(big, 'Registre des associés : une ligne par associé et par mouvement de parts\n'.repeat(6000));
    await page.setInputFiles('#document-file', big);
    await page.getByRole('button', { name: 'Ajouter à la bibliothèque' }).click();
    const progress = page.locator('[data-testid="upload-progress"]');
    await progress.waitFor();
    await page.waitForFunction(() => {
      const b = document.querySelector('[data-testid="upload-progress"] progress');
      return b && b.value > 0 && b.value < b.max;
    });
    assert(/\d+ % — .* sur \d+ Ko/.test(await progress.textContent()), `the progress in words: ${await progress.textContent()}`);
    await page.locator('[data-testid="library"] tbody tr', { hasText: 'registre-des-associes' }).waitFor({ timeout: 30000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();
  });

  test('documents: the auditor sees the documents the CAE linked beside a finding and opens them; the committee sees those of the findings; a linked document stays', async (env) => {
    const d = await delta(env);
    assert(d.document, 'the first test linked a document');
    // Delta submits its self-assessment: the auditor reads it beside the findings
    const sub = await apiCall(env.url, d.cae, 'POST', `assessments/${d.self}/submit`);
    assert(sub.status === 200 || sub.status === 201, `Delta submits (${sub.status} ${JSON.stringify(sub.body).slice(0, 200)})`);

    const page = await newPage(env);
    await login(page, env.fixture.users.auditor.email);
    await page.goto(`/#/evaluations/${d.audit}`);
    const card = page.locator('[data-criterion="JF-01"]');
    const seen = card.locator('[data-testid="self-documents"] .doc-item');
    await seen.waitFor();
    assert((await seen.textContent()).includes('statuts-delta'), `the CAE's document beside the finding: ${await seen.textContent()}`);
    // the auditor of the CAE's audit opens what the CAE linked, then takes it into the finding
    const href = await seen.locator('a.doc-open').getAttribute('href');
    equal((await fetchLink(page, href)).status, 200, 'the auditor opens the CAE\'s linked document');
    await card.locator('button[data-status="met"]').click();
    await card.locator('.save-state[data-state="saved"]').waitFor();
    await seen.getByRole('button', { name: 'Joindre à mon constat le document « statuts-delta »' }).click();
    await seen.locator('.doc-taken').waitFor();
    await card.locator('.docs .doc-list .doc-item', { hasText: 'statuts-delta' }).waitFor();
    await card.locator('.save-state[data-state="saved"]').waitFor();
    const got = await fetchLink(page, href);
    equal(got.status, 200, 'the auditor opens the CAE\'s document');
    // the submission pinned the link to the latest version then: the 2026 one
    assert((await seen.textContent()).includes('version 2'), `the version the submission pinned: ${await seen.textContent()}`);
    assert(Buffer.from(got.bytes).equals(pdfBytes('Statuts de la Cooperative Delta, version 2026')), 'the bytes of the version linked');

    // the auditor joins a note of their own to the finding (uploaded to Delta's library)
    await card.getByRole('button', { name: 'Joindre un document au critère JF-01' }).click();
    const path = join(d.dir, 'notes-audit.pdf');
    writeFileSync(path, pdfBytes('Notes de l auditrice'));
    await page.setInputFiles('#JF-01-file', path);
    await card.locator('.docs .doc-list .doc-item', { hasText: 'notes-audit' }).waitFor();
    equal(await card.locator('.attach-panel select').count(), 0, 'no library picker: the library is not the auditor\'s to list');
    await card.locator('.save-state[data-state="saved"]').waitFor();
    await shoot(page, 'documents-audit', { scrollTo: '[data-criterion="JF-01"]' });
    assert(page.errors.length === 0, `no script error: ${page.errors.join('; ')}`);
    await page.context().close();

    // the committee's decision page lists the documents of the findings
    const auditor = await apiLogin(env.url, env.fixture.users.auditor.email);
    const ref = await (await fetch(`${env.url}/api/v1/referential`)).json();
    const answers = (await apiCall(env.url, auditor, 'GET', `assessments/${d.audit}`)).body.answers;
    const left = ref.criteria.filter((c) => !answers.some((x) => x.criterion === c.id));
    await Promise.all(left.map((c) => apiCall(env.url, auditor, 'PUT', `assessments/${d.audit}/answers/${c.id}`, { status: 'met' })));
    await apiCall(env.url, auditor, 'PUT', `assessments/${d.audit}/stakeholders`, [{ name: 'Denise Roux', role: 'Associée' }]);
    const done = await apiCall(env.url, auditor, 'POST', `assessments/${d.audit}/submit`);
    assert(done.status === 200 || done.status === 201, `the auditor submits (${done.status} ${JSON.stringify(done.body).slice(0, 200)})`);
    const cpage = await newPage(env);
    await login(cpage, env.fixture.users.committee.email);
    await cpage.goto(`/#/comite/audits/${d.audit}`);
    const listed = cpage.locator('[data-testid="documents-seen"] li[data-criterion="JF-01"] .doc-item', { hasText: 'notes-audit' });
    await listed.waitFor();
    const notesSum = createHash('sha256').update(pdfBytes('Notes de l auditrice')).digest('hex');
    const line = await listed.textContent();
    assert(line.includes('notes-audit') && line.includes('version 1') && line.includes(notesSum),
      `the decision page lists the finding's document, its version and SHA-256: ${line}`);
    const bytes = await fetchLink(cpage, await listed.locator('a.doc-open').getAttribute('href'));
    equal(bytes.status, 200, 'the committee opens it');
    equal(await cpage.locator('[data-testid="documents-seen"] li[data-criterion="JF-01"] .doc-item').count(), 2,
      'the CAE\'s document the auditor took and their note');
    await shoot(cpage, 'documents-decision', { scrollTo: '[data-testid="documents-seen"]' });
    // the committee reads the CAE's library from its dashboard, without changing it
    await cpage.goto(`/#/cae/${d.org}`);
    await cpage.getByRole('link', { name: 'Documents de la CAE' }).click();
    await cpage.locator(`[data-testid="library"] tr[data-document="${d.document}"]`).waitFor();
    equal(await cpage.locator('#document-file, button[data-action="delete-document"]').count(), 0, 'no upload nor deletion for the committee');
    assert(cpage.errors.length === 0, `no script error: ${cpage.errors.join('; ')}`);
    await cpage.context().close();

    // the CAE cannot delete a document its submitted self-assessment links: the 409 in French
    const page2 = await newPage(env);
    await login(page2, d.email);
    await page2.goto(`/#/cae/${d.org}/documents`);
    const row = page2.locator(`[data-testid="library"] tr[data-document="${d.document}"]`);
    await row.locator('button[data-action="delete-document"]').click();
    await row.locator('button[data-action="confirm-delete-document"]').click();
    const refused = row.locator('.message-error');
    await refused.waitFor();
    assert((await refused.textContent()).includes('joint à une évaluation soumise ou décidée'), `the refusal: ${await refused.textContent()}`);
    assert(page2.errors.length === 0, `no script error: ${page2.errors.join('; ')}`);
    await page2.context().close();
    removeDir(d.dir);
  });
}
