// Issue 13 in the browser: the sign-up screen follows the registration
// policy, invite links fill the code in, reset links set a new password,
// and a disabled account is told why it cannot sign in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, openPage, signIn, uniqueName, apiRegister, apiLogin, apiCall, PASSWORD } from './helpers.js';

// Mutated before a restart: the server reads its arguments on every start.
const args = [];
const env = useServerAndBrowser({ args });

test('invite-only sign-up, invite links, reset links and disabled accounts', async () => {
  const root = uniqueName('root');
  await apiRegister(env.server, root);
  env.server.setRole(root, 'admin');
  args.push('--registration', 'invite', '--guests', 'off');
  await env.server.restart();
  const rootToken = await apiLogin(env.server, root);
  firstToken = rootToken;

  // Without a code: the field is there, and the server's reason is shown.
  let page = await openPage(env.browser, env.server);
  await page.getByRole('tab', { name: 'Create account' }).click();
  assert.equal(await page.locator('#guest-button').isVisible(), false);
  const form = page.locator('#register-form');
  await form.getByLabel('Invite code').waitFor();
  const nobody = uniqueName('nobody');
  await form.getByLabel('Username', { exact: true }).fill(nobody);
  await form.getByLabel('Email', { exact: true }).fill(`${nobody}@example.com`);
  await form.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#reg-invite-error', { hasText: 'invite-only' }).waitFor();
  await page.context().close();

  // The invite link opens the sign-up with the code filled in.
  const invite = await apiCall(env.server, rootToken, 'POST', '/invites', { max_uses: 1 });
  const name = uniqueName('newbie');
  page = await openPage(env.browser, env.server);
  await page.goto(`/#/invite/${invite.code}`);
  await page.locator('#register-form').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#reg-invite').inputValue(), invite.code);
  const form2 = page.locator('#register-form');
  await form2.getByLabel('Username', { exact: true }).fill(name);
  await form2.getByLabel('Email', { exact: true }).fill(`${name}@example.com`);
  await form2.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#app').waitFor({ state: 'visible' });
  await page.locator('.me-name', { hasText: name }).waitFor();
  await page.context().close();

  // A reset link sets a new password once.
  const users = await apiCall(env.server, rootToken, 'GET', `/users?q=${name}`);
  const link = await apiCall(env.server, rootToken, 'POST', `/users/${users[0].id}/reset-link`);
  const newPassword = 'brand-new-pass-7';
  page = await openPage(env.browser, env.server);
  await page.goto(`/${new URL(link.url).hash}`);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.locator('#login-form .form-error', { hasText: 'password was changed' }).waitFor();
  await signIn(page, name, newPassword);
  await page.context().close();

  page = await openPage(env.browser, env.server);
  await page.goto(`/${new URL(link.url).hash}`);
  await page.getByLabel('New password', { exact: true }).fill('another-pass-8');
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.locator('#reset-form .form-error', { hasText: 'already used or has expired' }).waitFor();
  await page.context().close();

  // Disabled: the sign-in says so.
  await apiCall(env.server, rootToken, 'PUT', `/users/${users[0].id}/disabled`, { disabled: true });
  page = await openPage(env.browser, env.server);
  await page.locator('#login-name').fill(name);
  await page.locator('#login-password').fill(newPassword);
  await page.locator('#login-form').getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#login-form .form-error', { hasText: 'disabled by an administrator' }).waitFor();
  await page.context().close();
});

test('an admin sees the policy, makes and revokes invites, disables a user and hands out a reset link', async () => {
  // Runs after the first test: the server is invite-only and has an admin.
  const root = uniqueName('boss');
  const adminToken = await loginAny();
  const code = (await apiCall(env.server, adminToken, 'POST', '/invites', {})).code;
  for (const name of [root, 'victim' + root]) {
    const res = await fetch(`${env.server.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: name, email: `${name}@example.com`, password: PASSWORD, invite: code }),
    });
    assert.equal(res.status, 201);
  }
  env.server.setRole(root, 'admin');
  const victim = 'victim' + root;

  const page = await openPage(env.browser, env.server);
  await signIn(page, root);
  await page.getByRole('link', { name: 'Admin' }).click();
  await page.locator('#admin-policy', { hasText: 'accounts need an invite' }).waitFor();

  await page.getByRole('button', { name: 'New invite' }).click();
  await page.getByLabel('How many people').fill('2');
  await page.getByRole('button', { name: 'Create invite' }).click();
  const url = await page.locator('#link-output').inputValue();
  assert.match(url, /\/#\/invite\/[0-9a-f]{32}$/);
  const newCode = url.split('/').pop();
  await page.getByRole('button', { name: 'Close', exact: true }).last().click();
  const row = page.locator(`#admin-invites tr[data-code="${newCode}"]`);
  await row.locator('td', { hasText: '0 / 2' }).waitFor();
  await row.getByRole('button', { name: /Revoke/ }).click();
  await row.waitFor({ state: 'detached' });
  const list = await apiCall(env.server, adminToken, 'GET', '/invites');
  assert.equal(list.some((i) => i.code === newCode), false);

  await page.getByRole('button', { name: `Disable ${victim}` }).click();
  await page.locator('#toast', { hasText: `${victim} is disabled` }).waitFor();
  const login = await fetch(`${env.server.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: victim, password: PASSWORD }),
  });
  assert.equal(login.status, 403);
  await page.getByRole('button', { name: `Enable ${victim}` }).waitFor();

  await page.getByRole('button', { name: `Reset link for ${victim}` }).click();
  const resetUrl = await page.locator('#link-output').inputValue();
  assert.match(resetUrl, /\/#\/reset\/[0-9a-f]{64}$/);
  await page.context().close();
});

/** A token of the first test's admin (named root…). */
async function loginAny() {
  const res = await fetch(`${env.server.url}/api/v1/users?q=root`, { headers: { Authorization: `Bearer ${firstToken}` } });
  assert.equal(res.status, 200);
  return firstToken;
}
let firstToken = null;

// A 1×1 red PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

test('a profile with a display name and a picture, a password change, and blocking from the members list', async () => {
  const adminToken = await loginAny();
  const code = (await apiCall(env.server, adminToken, 'POST', '/invites', {})).code;
  const ann = uniqueName('ann');
  const bob = uniqueName('bob');
  for (const name of [ann, bob]) {
    const res = await fetch(`${env.server.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: name, email: `${name}@example.com`, password: PASSWORD, invite: code }),
    });
    assert.equal(res.status, 201);
  }
  const annToken = await apiLogin(env.server, ann);
  const bobToken = await apiLogin(env.server, bob);
  const chat = await apiCall(env.server, annToken, 'POST', '/chats', { name: 'pair', members: [bob] });

  const page = await openPage(env.browser, env.server);
  await signIn(page, ann);
  await page.locator('.me-button').click();
  await page.getByRole('menuitem', { name: 'Edit profile…' }).click();
  await page.getByLabel('Display name').fill('Ann Example');
  await page.getByLabel('Picture').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
  await page.locator('#avatar-preview').waitFor({ state: 'visible' });
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.locator('.me-name', { hasText: 'Ann Example' }).waitFor();
  await page.locator('.me-button .avatar img').waitFor();
  const me = await apiCall(env.server, annToken, 'GET', '/users/me');
  assert.equal(me.display_name, 'Ann Example');
  const picture = await fetch(`${env.server.url}${me.avatar_url}`);
  assert.equal(picture.status, 200);

  await page.locator('.me-button').click();
  await page.getByRole('menuitem', { name: 'Change password…' }).click();
  await page.getByLabel('Current password').fill('wrong-password-1');
  await page.locator('dialog').getByLabel('New password', { exact: true }).fill('fresh-password-9');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.locator('dialog .form-error', { hasText: 'current password is wrong' }).waitFor();
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.locator('#toast', { hasText: 'Password changed' }).waitFor();

  await page.goto(`/#/chat/${chat.id}`);
  await page.locator('#members-toggle').click();
  await page.getByRole('button', { name: `Block ${bob}` }).click();
  await page.getByRole('button', { name: `Unblock ${bob}` }).waitFor();
  const blocks = await apiCall(env.server, annToken, 'GET', '/users/me/blocks');
  assert.deepEqual(blocks.map((u) => u.username), [bob]);
  const refused = await fetch(`${env.server.url}/api/v1/chats/direct`, {
    method: 'POST', headers: { Authorization: `Bearer ${bobToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ username: ann }),
  });
  assert.equal(refused.status, 403);
  await page.context().close();

  // Bob sees Ann's display name (username on hover) on her message.
  await apiCall(env.server, annToken, 'POST', `/chats/${chat.id}/messages`, { body: 'hello from ann' });
  const bobPage = await openPage(env.browser, env.server);
  await signIn(bobPage, bob);
  await bobPage.goto(`/#/chat/${chat.id}`);
  await bobPage.locator('.msg-author', { hasText: 'Ann Example' }).waitFor();
  assert.equal(await bobPage.locator('.msg-author', { hasText: 'Ann Example' }).first().getAttribute('title'), `@${ann}`);
  await bobPage.context().close();
});
