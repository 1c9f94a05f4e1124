// The admin view: list users, change a role, delete a user.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, openPage, signIn, uniqueName, apiRegister, apiLogin, screenshot } from './helpers.js';

const env = useServerAndBrowser();

test('an admin lists users, changes a role and deletes a user', async () => {
  const admin = uniqueName('root');
  const victim = uniqueName('spammer');
  const helper = uniqueName('helper');
  for (const name of [admin, victim, helper]) await apiRegister(env.server, name);
  env.server.setRole(admin, 'admin');

  const page = await openPage(env.browser, env.server);
  await signIn(page, admin);
  await page.locator('.me-role', { hasText: 'admin' }).waitFor();
  await page.getByRole('link', { name: 'Admin' }).click();
  await page.locator('#admin-title').waitFor();
  for (const name of [admin, victim, helper]) await page.locator('#admin-users tr', { hasText: name }).waitFor();
  // Admins see addresses.
  await page.locator('#admin-users tr', { hasText: `${victim}@example.com` }).waitFor();
  await screenshot(page, 'admin');

  await page.getByLabel(`Role of ${helper}`).selectOption('admin');
  await page.locator('#toast', { hasText: `${helper} is now admin` }).waitFor();
  const helperToken = await apiLogin(env.server, helper);
  const me = await (await fetch(`${env.server.url}/api/v1/users/me`, { headers: { Authorization: `Bearer ${helperToken}` } })).json();
  assert.equal(me.role, 'admin');

  await page.getByRole('button', { name: `Delete ${victim}` }).click();
  await page.getByRole('button', { name: 'Delete user' }).click();
  await page.locator('#admin-users tr', { hasText: victim }).waitFor({ state: 'detached' });
  const login = await fetch(`${env.server.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: victim, password: 'correct-horse-42' }),
  });
  assert.equal(login.status, 401);

  // Filtering by prefix.
  await page.getByLabel('Find users').fill(helper.slice(0, 5));
  await page.locator('#admin-users tr', { hasText: admin }).waitFor({ state: 'detached' });
  await page.locator('#admin-users tr', { hasText: helper }).waitFor();
  await page.context().close();
});

test('the admin view is not offered to ordinary users', async () => {
  const name = uniqueName('plain');
  await apiRegister(env.server, name);
  const page = await openPage(env.browser, env.server);
  await signIn(page, name);
  assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0);
  await page.goto('/#/admin');
  await page.locator('.empty-card').waitFor();
  assert.equal(await page.locator('#admin-view').isHidden(), true);
  await page.context().close();
});
