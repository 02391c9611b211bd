// lib: the browser tests' harness: a fresh database and server, Debian's
// Chromium driven by playwright-core, a tiny test runner, screenshots.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(process.env.LABELCOOP_ROOT || join(here, '..', '..'));
export const BIN = resolve(process.env.LABELCOOP_BIN || join(ROOT, 'build', 'labelcoop'));
export const CHROMIUM = process.env.LABELCOOP_CHROMIUM || '/usr/bin/chromium';
export const SHOTS = join(ROOT, 'build', 'screenshots');

export const PASSWORD = 'un mot de passe de test assez long';

/* ---- the database and the server ------------------------------------------------ */

function cli(args, input) {
  const out = execFileSync(BIN, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  return out.trim().split(/\s+/).pop();
}

/** Creates the database: organisations and one user per role, known passwords. */
export function makeFixture(dir) {
  const db = join(dir, 'labelcoop.db');
  cli(['init', '--db', db]);
  const org = (name, city) => Number(cli(['org', 'add', '--db', db, '--name', name, '--legal-form', 'SCOP SA', '--city', city,
    '--region', 'Auvergne-Rhône-Alpes', '--member-since', '2015-03-01']));
  const orgs = { alpha: org('Coopérative Alpha', 'Lyon'), beta: org('Coopérative Beta', 'Nantes'), gamma: org('Coopérative Gamma', 'Lille') };
  const user = (email, name, role, extra = []) => Number(cli(['user', 'add', '--db', db, '--email', email, '--name', name, '--role', role,
    ...extra, '--password-stdin'], `${PASSWORD}\n`));
  const users = {
    alpha: { email: 'alice@alpha.test', id: user('alice@alpha.test', 'Alice Martin', 'cae', ['--org', String(orgs.alpha)]) },
    beta: { email: 'bruno@beta.test', id: user('bruno@beta.test', 'Bruno Petit', 'cae', ['--org', String(orgs.beta)]) },
    auditor: { email: 'claire@gamma.test', id: user('claire@gamma.test', 'Claire Durand', 'auditor', ['--org', String(orgs.gamma), '--certified-until', '2099-12-31']) },
    committee: { email: 'comite@reseau.test', id: user('comite@reseau.test', 'Camille Comité', 'committee') },
    admin: { email: 'admin@reseau.test', id: user('admin@reseau.test', 'Ada Admin', 'admin') },
  };
  return { db, orgs, users };
}

/** Starts `labelcoop serve` on a free port; resolves {url, stop}. */
export function startServer(db) {
  return new Promise((resolveStart, reject) => {
    // setpriv --pdeathsig: the server is killed with this process, even when
    // the browser run itself is killed (it execs the server, so the pid is the
    // server's and stop() below signals it directly).
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', BIN, 'serve', '--listen', '127.0.0.1:0', '--db', db, '--web', join(ROOT, 'web'), '--rules', join(ROOT, 'rules'),
      '--scripts', join(ROOT, 'scripts'), '--plugins', join(ROOT, 'plugins'), '--mail-templates', join(ROOT, 'mail')],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let stopping = false;
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${err}`)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveStart({
          url: m[1],
          log: () => err,
          stop: () => new Promise((done) => {
            stopping = true;
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
        });
      }
    });
    child.stderr.on('data', (d) => { err += d; });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!stopping) console.log(`!! the server exited unexpectedly (code ${code}, signal ${signal}); its last output:\n${err.slice(-2000)}`);
      reject(new Error(`server exited (${code}): ${out}${err}`));
    });
  });
}

/* ---- the browser --------------------------------------------------------------- */

export async function launchBrowser() {
  // launch() gives Chromium a fresh, temporary user-data-dir of its own.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--lang=fr-FR'],
  });
}

/** A new isolated context and page for one person; page errors fail the test. */
export async function newPage(env, width = 1280) {
  const context = await env.browser.newContext({ viewport: { width, height: 900 }, locale: 'fr-FR', baseURL: env.url });
  const page = await context.newPage();
  (env.pages ||= []).push(page); /* for runAll's look at a failure */
  page.setDefaultTimeout(10000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}

export async function login(page, email, password = PASSWORD) {
  await page.goto('/#/connexion');
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).last().click();
  await page.waitForFunction(() => !location.hash.startsWith('#/connexion'));
}

/** Logs in through the API and returns the bearer token (for checks and setup). */
export async function apiLogin(url, email, password = PASSWORD) {
  const r = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (r.status !== 201) throw new Error(`login ${email}: ${r.status} ${await r.text()}`);
  return (await r.json()).token;
}

// API calls in flight at once: a spec may fire 117 answers together, and
// node's fetch would open (and keep alive) a connection for each, from the
// same address as the browser, past the server's cap per client address
// (--max-connections-per-client), so the browser's own would be refused.
const API_CONNECTIONS = 8;
let inFlight = 0;
const waiting = [];

async function slot() {
  if (inFlight < API_CONNECTIONS) { inFlight++; return; }
  await new Promise((resolve) => waiting.push(resolve)); // the slot is handed over
}

function release() {
  const next = waiting.shift();
  if (next) next(); else inFlight--;
}

export async function apiCall(url, token, method, path, body) {
  await slot();
  try {
    const r = await fetch(`${url}/api/v1/${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  } finally {
    release();
  }
}

/** A multipart upload through the API (a document): the file's bytes as name, and the form's fields. */
export async function apiUpload(url, token, path, { name, bytes }, fields = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([bytes]), name);
  await slot();
  try {
    const r = await fetch(`${url}/api/v1/${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  } finally {
    release();
  }
}

/** Screenshots of the page at 1280 px and 375 px wide, into build/screenshots/. */
export async function shoot(page, name, { scrollTo } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize();
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.waitForTimeout(100);
    if (scrollTo) await page.evaluate((sel) => { document.querySelector(sel).scrollIntoView({ block: 'start' }); window.scrollBy(0, -70); }, scrollTo);
    const tall = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: tall < 7000 });
  }
  await page.setViewportSize(size);
}

/* ---- forms that change a list in place ------------------------------------------ */

/** Marks the window and the page's view before a form is sent: created() then tells a reload or a redrawn page. */
export async function markPage(page) {
  await page.evaluate(() => {
    window.labelcoopKept = true;
    document.querySelector('#main .view').dataset.kept = 'yes';
  });
}

/**
 * After a creation form (markPage first): the new row in the list, and a
 * moment later (past the former 600–800 ms re-render) the success message
 * still shown in a live region, the page neither reloaded nor drawn again,
 * the fields back to their values for a next entry (fields: selector to
 * value), the focus on a control of the new row.
 */
export async function created(page, { message, row, fields }) {
  await message.waitFor();
  await row.waitFor();
  await page.waitForTimeout(1200);
  assert(await message.isVisible(), 'the success message stays');
  assert(await message.evaluate((m) => !!m.closest('[aria-live]')), 'the success message is in a live region');
  assert(await page.evaluate(() => window.labelcoopKept === true), 'the page was not loaded again');
  assert(await page.evaluate(() => !!document.querySelector('#main .view[data-kept]')), 'the page was not drawn again');
  equal(await row.count(), 1, 'the new row is listed once');
  for (const [selector, value] of Object.entries(fields)) equal(await page.inputValue(selector), value, `${selector} is reset`);
  assert(await row.evaluate((tr) => tr !== document.activeElement && tr.contains(document.activeElement)),
    `the focus is on the new row, not on ${await page.evaluate(() => document.activeElement.outerHTML.slice(0, 120))}`);
}

/* ---- the runner ---------------------------------------------------------------- */

const tests = [];
export function test(name, fn) {
  tests.push({ name, fn });
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export function equal(actual, expected, message) {
  if (actual !== expected) throw new Error(`${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export async function runAll(env) {
  let passed = 0;
  let failed = 0;
  for (const t of tests) {
    const start = Date.now();
    try {
      await t.fn(env);
      passed += 1;
      console.log(`ok   ${t.name} (${Date.now() - start} ms)`);
    } catch (e) {
      failed += 1;
      console.log(`FAIL ${t.name} (${Date.now() - start} ms)\n     ${(e && e.stack ? e.stack : String(e)).split('\n').slice(0, 4).join('\n     ')}`);
      await showFailure(env.pages || [], failed);
    }
    env.pages = [];
  }
  return { passed, failed };
}

/* What the failed test's pages showed: each one's address, focused element
 * and a screenshot (failed-N-P.png), so that a failure in CI, which keeps
 * nothing else, can be read afterwards. */
async function showFailure(pages, n) {
  mkdirSync(SHOTS, { recursive: true });
  for (const [i, page] of pages.entries()) {
    if (page.isClosed()) continue;
    const focus = await page.evaluate(() => {
      const a = document.activeElement;
      return a ? `${a.tagName.toLowerCase()}${a.id ? '#' + a.id : ''} ${(a.textContent || '').trim().slice(0, 40)}` : 'none';
    }).catch((err) => `unknown (${err.message})`);
    const shot = join(SHOTS, `failed-${n}-${i + 1}.png`);
    await page.screenshot({ path: shot }).catch(() => {});
    console.log(`     page ${i + 1}: ${page.url()}, focus on ${focus}, ${shot}`);
  }
}

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'labelcoop-browser-'));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}
