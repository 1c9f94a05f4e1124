// Shared helpers of the browser suite: the real server binary on a free
// port with its own SQLite file, and Debian's Chromium driven by
// playwright-core.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { before, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.MICROCHAT_BIN || join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'debug', 'microchat');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
export const PASSWORD = 'correct-horse-42';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A running microchat: `url`, `stop()`, `restart()` (same port and database). */
export async function startServer({ args = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'microchat-e2e-'));
  const port = await freePort();
  const server = {
    url: `http://127.0.0.1:${port}`,
    port,
    proc: null,
    log: [],
    async start() {
      const proc = spawn(BIN, [
        '--bind', `127.0.0.1:${port}`,
        '--database-url', `sqlite://${join(dir, 'chat.db')}`,
        // No --insecure-dev: Chromium keeps the Secure refresh cookie on
        // http://127.0.0.1, so the tests run the production cookie settings.
        '--jwt-secret', 'e2e-secret-e2e-secret-e2e-secret-0123456789',
        '--auth-rate-per-minute', '1000',
        '--ws-connections-per-address', '10000',
        ...args,
      ], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' } });
      proc.stderr.on('data', (d) => {
        server.log.push(d.toString());
        if (server.log.length > 200) server.log.shift();
      });
      this.proc = proc;
      const deadline = Date.now() + 20000;
      while (Date.now() < deadline) {
        if (proc.exitCode !== null) throw new Error(`server exited: ${server.log.join('')}`);
        try {
          if ((await fetch(`${server.url}/healthz`)).ok) return;
        } catch {
          /* not listening yet */
        }
        await sleep(100);
      }
      throw new Error('server did not start in 20 s');
    },
    async stop({ signal = 'SIGTERM' } = {}) {
      const proc = this.proc;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    },
    /** `microchat user set-role` on this server's database, as an operator would. */
    setRole(username, role) {
      const out = spawnSync(BIN, ['--database-url', `sqlite://${join(dir, 'chat.db')}`, 'user', 'set-role', username, role], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`set-role failed: ${out.stderr}`);
    },
    async restart() {
      await this.stop();
      await this.start();
    },
    async close() {
      await this.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/**
 * One server (started with `args`) and one browser for a whole test file,
 * shared by its tests and stopped after them: `env.server`, `env.browser`.
 */
export function useServerAndBrowser({ args = [], browserArgs = [] } = {}) {
  const env = {};
  before(async () => {
    env.server = await startServer({ args });
    env.browser = await launchBrowser({ extraArgs: browserArgs });
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/** Chromium; `extraArgs` e.g. a fake microphone for voice messages. */
export function launchBrowser({ extraArgs = [] } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

/**
 * A fresh browser profile on the server. Collects page errors and dialogs so
 * a test can assert that nothing ran that should not have.
 */
export async function openPage(browser, server, { viewport = { width: 1280, height: 800 }, colorScheme = 'light', locale = undefined } = {}) {
  // `locale` (e.g. 'ru-RU') sets navigator.languages and Accept-Language.
  const context = await browser.newContext({ baseURL: server.url, viewport, colorScheme, locale });
  const page = await context.newPage();
  page.errors = [];
  page.dialogs = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(m.text());
  });
  page.on('dialog', (d) => {
    page.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  await page.goto('/');
  return page;
}

let counter = 0;
/** A username unique within the run: prefix + counter + random. */
export function uniqueName(prefix) {
  counter += 1;
  return `${prefix}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

export async function signUp(page, username, password = PASSWORD) {
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.locator('#register-form').getByLabel('Username', { exact: true }).fill(username);
  await page.locator('#register-form').getByLabel('Email', { exact: true }).fill(`${username}@example.com`);
  await page.locator('#register-form').getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#app').waitFor({ state: 'visible' });
  await page.locator('.me-name', { hasText: username }).waitFor();
}

export async function signIn(page, login, password = PASSWORD) {
  await page.locator('#login-name').fill(login);
  await page.locator('#login-password').fill(password);
  // By its place, not its words: the same in every language.
  await page.locator('#login-form button[type="submit"]').click();
  await page.locator('#app').waitFor({ state: 'visible' });
}

/** Register over the API directly (setup steps the test is not about). */
export async function apiRegister(server, username, password = PASSWORD) {
  const res = await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, email: `${username}@example.com`, password }),
  });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function apiLogin(server, login, password = PASSWORD) {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  if (res.status !== 200) throw new Error(`login ${login}: ${res.status}`);
  return (await res.json()).access_token;
}

export async function apiCall(server, token, method, path, body) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Save a screenshot for docs/screenshots when MICROCHAT_SCREENSHOTS=1. */
export async function screenshot(page, name) {
  if (process.env.MICROCHAT_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Wait until `fn` returns truthy (polling), or fail with `what`. */
export async function eventually(fn, what, timeout = 10000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

export { sleep };
