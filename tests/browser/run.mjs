#!/usr/bin/env node
// The browser tests: a fresh database with one user per role, `labelcoop
// serve` on a free port, Debian's Chromium driven by playwright-core, the
// specs in order; screenshots go to $LABELCOOP_ROOT/build/screenshots/.
// Env: LABELCOOP_BIN (the binary), LABELCOOP_ROOT (the project root).
// Ends with "N passed, N failed"; exits 1 on any failure.
import { existsSync } from 'node:fs';
import { BIN, ROOT, CHROMIUM, SHOTS, makeFixture, startServer, launchBrowser, runAll, tempDir, removeDir } from './lib.mjs';
import * as labelling from './specs/labelling.mjs';
import * as access from './specs/access.mjs';
import * as platform from './specs/platform.mjs';
import * as audits from './specs/audits.mjs';
import * as drafts from './specs/drafts.mjs';
import * as accessibility from './specs/accessibility.mjs';
import * as deferral from './specs/deferral.mjs';
import * as conflict from './specs/conflict.mjs';
import * as errors from './specs/errors.mjs';
import * as documents from './specs/documents.mjs';
import * as account from './specs/account.mjs';
import * as invitation from './specs/invitation.mjs';
import * as reset from './specs/reset.mjs';
import * as roles from './specs/roles.mjs';
import * as notifications from './specs/notifications.mjs';

/* The specs in order; `node run.mjs NAME...` runs only those named (a
 * spec that needs an earlier one's state needs it named too). */
const SPECS = { labelling, access, platform, audits, drafts, accessibility, deferral, conflict, errors, documents, account, roles, invitation, reset, notifications };

async function main() {
  for (const [what, path] of [['LABELCOOP_BIN', BIN], ['Chromium', CHROMIUM], ['LABELCOOP_ROOT/web', `${ROOT}/web/index.html`]]) {
    if (!existsSync(path)) {
      console.log(`${what} not found: ${path}`);
      console.log('0 passed, 1 failed');
      return 1;
    }
  }
  const dir = tempDir();
  let server = null;
  let browser = null;
  let result = { passed: 0, failed: 1 };
  const started = Date.now();
  try {
    const fixture = makeFixture(dir);
    server = await startServer(fixture.db);
    browser = await launchBrowser();
    console.log(`server ${server.url}, ${browser.version()}, screenshots in ${SHOTS}`);
    const only = process.argv.slice(2);
    for (const [name, spec] of Object.entries(SPECS)) if (!only.length || only.includes(name)) spec.register();
    result = await runAll({ url: server.url, browser, fixture, state: {} });
  } catch (e) {
    console.log(`setup failed: ${e && e.stack ? e.stack : e}`);
    result = { passed: result.passed, failed: Math.max(1, result.failed) };
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
    removeDir(dir);
  }
  console.log(`browser tests took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${result.passed} passed, ${result.failed} failed`);
  return result.failed ? 1 : 0;
}

process.exitCode = await main();
