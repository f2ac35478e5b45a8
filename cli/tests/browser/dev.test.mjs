// End-to-end test of the `cargo mcp dev` inspector page in a real browser.
//
//   CARGO_MCP=/path/to/cargo-mcp PROJECT=/path/to/generated/project \
//   ARTIFACTS=/tmp/artifacts node dev.test.mjs
//
// PROJECT is a project made by `cargo mcp new` with a `slow` tool added
// (fixtures/slow.rs; run.sh does all of this). The test starts
// `cargo-mcp mcp dev --no-open --inspector-port <free port>` in PROJECT,
// opens the page in Chromium (playwright-core, CHROMIUM or
// /usr/bin/chromium) and drives it like a user: server info, the `hello`
// tool's form and result, validation, a long call's progress bar, then an
// edit of src/tools/hello.rs, the restart, and the new answer. Screenshots
// of every step go to ARTIFACTS. Exits 0 when every step passed.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// ---- Settings -------------------------------------------------------------------

const CARGO_MCP = requireEnv('CARGO_MCP');
const PROJECT = path.resolve(requireEnv('PROJECT'));
const ARTIFACTS = path.resolve(process.env.ARTIFACTS || path.join(os.tmpdir(), 'cargo-mcp-dev-artifacts'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** How cargo mcp dev runs the server: stdio (default) or http (Streamable HTTP). */
const TRANSPORT = process.env.TRANSPORT || 'stdio';
/** The first build of a fresh project can take minutes on a small machine. */
const START_TIMEOUT_MS = Number(process.env.START_TIMEOUT_MS || 15 * 60_000);
/** Rebuild and restart after the edit. */
const RESTART_TIMEOUT_MS = Number(process.env.RESTART_TIMEOUT_MS || 5 * 60_000);
const STEP_TIMEOUT_MS = 30_000;
const HELLO_RS = path.join(PROJECT, 'src', 'tools', 'hello.rs');

function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set (see the comment at the top of dev.test.mjs)`);
    process.exit(2);
  }
  return value;
}

// ---- Helpers ----------------------------------------------------------------------

/** A TCP port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The package name from PROJECT/Cargo.toml (the server's name). */
function packageName() {
  const toml = fs.readFileSync(path.join(PROJECT, 'Cargo.toml'), 'utf8');
  const match = toml.match(/^\s*name\s*=\s*"([^"]+)"/m);
  if (!match) throw new Error('no package name in Cargo.toml');
  return match[1];
}

/**
 * Starts `cargo-mcp mcp dev` in its own process group; everything it
 * prints goes to ARTIFACTS/dev.log. `inspector` resolves with the URL of
 * the `Inspector:` line.
 */
function startDev(port, serverPort) {
  const logFile = fs.createWriteStream(path.join(ARTIFACTS, 'dev.log'));
  const args = ['mcp', 'dev', '--no-open', '--inspector-port', String(port), '--transport', TRANSPORT];
  if (TRANSPORT === 'http') args.push('--port', String(serverPort));
  const child = spawn(CARGO_MCP, args, {
    cwd: PROJECT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let tail = '';
  let resolveUrl;
  let rejectUrl;
  const inspector = new Promise((res, rej) => { resolveUrl = res; rejectUrl = rej; });
  let buffered = '';
  const onData = (chunk) => {
    const text = chunk.toString();
    logFile.write(text);
    tail = (tail + text).slice(-8000);
    buffered += text;
    const match = buffered.match(/Inspector:\s*(http:\/\/\S+)/);
    if (match) resolveUrl(match[1]);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.on('exit', (code, signal) => {
    logFile.write(`\n[cargo-mcp mcp dev exited: code ${code}, signal ${signal}]\n`);
    rejectUrl(new Error(`cargo-mcp mcp dev exited (code ${code}, signal ${signal}) before printing Inspector:`));
  });
  child.on('error', (e) => rejectUrl(e));
  return {
    child,
    inspector,
    tail: () => tail,
    /** Stops the whole process group: TERM, then KILL after 5 s. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!done) {
        try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
        await Promise.race([exited, sleep(2000)]);
      }
      logFile.end();
    },
  };
}

/** Rejects after `ms` with a message naming what was awaited. */
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// ---- The test ---------------------------------------------------------------------

let page;
let shot = 0;

/** A full-page screenshot into ARTIFACTS, numbered in step order. */
async function screenshot(name) {
  shot += 1;
  const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  screenshot ${file}`);
}

/** The server status indicator (role=status, labelled "Server status"). */
const serverStatus = () => page.getByRole('status', { name: 'Server status' });

/**
 * Waits until the page has initialized a session with a server whose
 * generation is above `after` (-1: any), and the status shows it.
 */
async function waitForSession(after, timeout) {
  await page.waitForFunction((min) => {
    const status = document.getElementById('server-status');
    const raw = document.body.dataset.sessionGeneration;
    if (raw === undefined) return false;
    const gen = Number(raw);
    return gen > min && status.dataset.generation === raw;
  }, after, { timeout, polling: 100 });
  return Number(await page.evaluate(() => document.body.dataset.sessionGeneration));
}

/** Clicks a tool in the list and waits for its form. */
async function openTool(name) {
  await page.getByRole('tab', { name: 'Tools' }).click();
  await page.getByRole('button', { name, exact: true }).click();
  await page.locator('#tool-detail').getByRole('heading', { name, exact: true, level: 2 }).waitFor();
}

const steps = [];
const step = (name, run) => steps.push({ name, run });
const state = { generation: -1, helloOriginal: null };

step('the page shows the server info and capabilities', async () => {
  state.generation = await waitForSession(-1, STEP_TIMEOUT_MS);
  await serverStatus().filter({ hasText: 'Running' }).waitFor();
  await page.getByRole('tab', { name: 'Server' }).click();
  const info = page.locator('#server-info');
  await info.getByText(packageName(), { exact: true }).first().waitFor();
  await info.getByText('2025-11-25', { exact: true }).waitFor();
  await page.locator('#capabilities').getByText('tools', { exact: true }).waitFor();
  check(await page.getByRole('tablist').count() === 1, 'there is one tablist');
  // Arrow keys move between tabs.
  await page.getByRole('tab', { name: 'Server' }).focus();
  await page.keyboard.press('ArrowRight');
  check(await page.getByRole('tab', { name: 'Tools' }).getAttribute('aria-selected') === 'true', 'ArrowRight selects the Tools tab');
  await page.getByRole('tab', { name: 'Server' }).click();
  await screenshot('server-info');
});

step('hello: fill the generated form, call, see the result', async () => {
  await openTool('hello');
  const name = page.getByRole('textbox', { name: 'name', exact: true });
  await name.fill('Browser');
  await page.getByRole('button', { name: 'Call tool' }).click();
  await page.locator('#tool-detail').getByText('Hello, Browser!', { exact: true }).waitFor();
  await screenshot('hello-result');
});

step('a missing required argument is caught before sending', async () => {
  const name = page.getByRole('textbox', { name: 'name', exact: true });
  const calls = await page.locator('#history-list > li').count();
  await name.fill('');
  await page.getByRole('button', { name: 'Call tool' }).click();
  await page.locator('#tool-detail').getByText('Required', { exact: true }).first().waitFor();
  check(await name.getAttribute('aria-invalid') === 'true', 'the empty name is marked invalid');
  check(await page.locator('#history-list > li').count() === calls, 'nothing was sent');
  await screenshot('validation');
  await name.fill('Browser');
});

step('slow: the progress bar advances while the call runs', async () => {
  await openTool('slow');
  await page.getByRole('button', { name: 'Call tool' }).click();
  const bar = page.getByRole('progressbar', { name: 'Tool progress' });
  await bar.waitFor();
  const values = [];
  let midShot = false;
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const sample = await page.evaluate(() => {
      const progress = document.querySelector('#tool-detail progress');
      const status = document.querySelector('#tool-detail .call-status');
      return {
        value: progress && progress.hasAttribute('value') ? progress.value : null,
        max: progress ? progress.max : null,
        status: status ? status.dataset.status : null,
      };
    });
    if (sample.status !== 'running') break;
    if (sample.value !== null && values[values.length - 1] !== sample.value) {
      values.push(sample.value);
      if (!midShot && values.length >= 2) {
        midShot = true;
        await screenshot('slow-progress');
      }
    }
    check(Date.now() < deadline, `slow did not finish within ${STEP_TIMEOUT_MS} ms`);
    await sleep(50);
  }
  const advances = values.filter((v, i) => i > 0 && v > values[i - 1]).length;
  console.log(`  progress values seen while running: ${values.join(', ')}`);
  check(advances >= 2, `the progress bar advanced ${advances} time(s) while slow ran; expected at least 2`);
  await page.locator('#tool-detail pre.text').getByText(/^slow finished \d+ steps$/).waitFor();
  await screenshot('slow-done');
});

step('editing hello.rs rebuilds, restarts, and the page reconnects in place', async () => {
  await openTool('hello');
  const source = fs.readFileSync(HELLO_RS, 'utf8');
  state.helloOriginal = source;
  const edited = source.replace('"Hello, {}!"', '"Howdy, {}! (edited)"');
  check(edited !== source, `src/tools/hello.rs has no "Hello, {}!" to edit:\n${source}`);
  fs.writeFileSync(HELLO_RS, edited);
  const before = state.generation;
  state.generation = await waitForSession(before, RESTART_TIMEOUT_MS);
  await serverStatus().filter({ hasText: `generation ${state.generation}` }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Server restarted' }).waitFor();
  // The user's place is kept: the Tools tab, the hello tool, the typed name.
  check(await page.getByRole('tab', { name: 'Tools' }).getAttribute('aria-selected') === 'true', 'the Tools tab is still selected');
  check(await page.getByRole('textbox', { name: 'name', exact: true }).inputValue() === 'Browser', 'the form value survived the restart');
  await screenshot('restarted');
  await page.getByRole('button', { name: 'Call tool' }).click();
  await page.locator('#tool-detail').getByText('Howdy, Browser! (edited)', { exact: true }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await screenshot('hello-after-restart');
});

step('history lists the calls with timings', async () => {
  await page.getByRole('tab', { name: 'History' }).click();
  const items = page.locator('#history-list > li');
  check(await items.count() >= 3, 'at least three calls in the history');
  const took = await items.first().locator('.duration').innerText();
  check(/^\d+(\.\d+)? m?s$/.test(took), `the newest call shows its duration (got "${took}")`);
  await screenshot('history');
});

/** Presses Tab until `locator` has the focus (at most `max` times); false if it never does. */
async function tabTo(locator, max = 25) {
  for (let i = 0; i < max; i++) {
    if (await locator.evaluate((el) => el === document.activeElement)) return true;
    await page.keyboard.press('Tab');
  }
  return locator.evaluate((el) => el === document.activeElement);
}

step('a call made with the keyboard alone', async () => {
  const tools = page.getByRole('tab', { name: 'Tools' });
  await page.getByRole('tab', { name: 'Server' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  check(await tools.getAttribute('aria-selected') === 'true', 'the keyboard selects the Tools tab');
  const hello = page.getByRole('button', { name: 'hello', exact: true });
  check(await tabTo(hello), 'Tab reaches the hello tool');
  await page.keyboard.press('Enter');
  const name = page.getByRole('textbox', { name: 'name', exact: true });
  check(await tabTo(name), 'Tab reaches the name field');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('Keys');
  check(await tabTo(page.getByRole('button', { name: 'Call tool' })), 'Tab reaches Call tool');
  await page.keyboard.press('Enter');
  await page.locator('#tool-detail').getByText('Howdy, Keys! (edited)', { exact: true }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await screenshot('keyboard-call');
});

step('a 400px wide window stays readable', async () => {
  await page.setViewportSize({ width: 400, height: 800 });
  await page.getByRole('tab', { name: 'Tools' }).click();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 1, `the page scrolls sideways by ${overflow}px at 400px`);
  await screenshot('narrow-400px');
});

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  check(fs.existsSync(HELLO_RS), `${HELLO_RS} does not exist: is PROJECT a generated project?`);
  const port = await freePort();
  const serverPort = await freePort();
  console.log(`starting ${CARGO_MCP} mcp dev --no-open --inspector-port ${port} --transport ${TRANSPORT} in ${PROJECT}`);
  const dev = startDev(port, serverPort);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cargo-mcp-dev-chromium-'));
  let context = null;
  const pageErrors = [];
  let failed = 0;
  try {
    const url = await withTimeout(dev.inspector, START_TIMEOUT_MS, 'the Inspector: line');
    console.log(`inspector at ${url}`);
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 800 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        // Containers often have a tiny /dev/shm, which crashes tabs.
        '--disable-dev-shm-usage'],
    });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Uncaught errors fail the test; failed requests (a 503 while the
    // server restarts) are expected and only logged by the browser.
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource|net::ERR_/.test(m.text())) pageErrors.push(`console: ${m.text()}`);
    });
    await page.goto(url);
    // The first build may still be running when the page opens.
    await page.waitForFunction(() => document.body.dataset.sessionGeneration !== undefined, null, { timeout: START_TIMEOUT_MS, polling: 200 });

    for (const { name, run } of steps) {
      const started = Date.now();
      try {
        await run();
        console.log(`ok - ${name} (${Date.now() - started} ms)`);
      } catch (e) {
        failed += 1;
        console.log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
        try { await screenshot('failure'); } catch { /* page gone */ }
        break; // later steps build on earlier ones
      }
    }
    if (pageErrors.length) {
      failed += 1;
      console.log(`not ok - the page logged errors:\n  ${pageErrors.join('\n  ')}`);
    }
  } catch (e) {
    failed += 1;
    console.log(`not ok - setup: ${e.message}`);
    if (page) { try { await screenshot('failure'); } catch { /* page gone */ } }
  } finally {
    if (state.helloOriginal !== null) fs.writeFileSync(HELLO_RS, state.helloOriginal);
    if (context) await context.close().catch(() => {});
    await dev.stop();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  if (failed) {
    console.log(`\nlast output of cargo-mcp mcp dev (full log: ${path.join(ARTIFACTS, 'dev.log')}):\n${dev.tail()}`);
    console.log(`\nFAILED (screenshots in ${ARTIFACTS})`);
    process.exit(1);
  }
  console.log(`\nall ${steps.length} steps passed (screenshots in ${ARTIFACTS})`);
}

main();
