// Accounts in the browser: sign up with the server's field errors, sign in by
// username or email, sessions that survive reloads and token expiry, guests,
// logging out and deleting an account.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, openPage, signUp, signIn, uniqueName, apiRegister, PASSWORD, screenshot, sleep,
} from './helpers.js';

const env = useServerAndBrowser({ args: ['--access-token-ttl', '5'] });

test('sign-up shows the server’s reason under each invalid field', async () => {
  const page = await openPage(env.browser, env.server);
  await screenshot(page, 'sign-in');
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.locator('#register-form').getByLabel('Username', { exact: true }).fill('a!');
  await page.locator('#register-form').getByLabel('Email', { exact: true }).fill('not-an-email');
  await page.locator('#register-form').getByLabel('Password', { exact: true }).fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  for (const field of ['username', 'email', 'password']) {
    const error = page.locator(`#reg-${field}-error`);
    await error.waitFor({ state: 'visible' });
    assert.notEqual((await error.textContent()).trim(), '', `${field} has a reason`);
    assert.equal(await page.locator(`#reg-${field}`).getAttribute('aria-invalid'), 'true');
  }
  await screenshot(page, 'sign-up-errors');
  await page.context().close();
});

test('a taken username is pointed out', async () => {
  const name = uniqueName('taken');
  await apiRegister(env.server, name);
  const page = await openPage(env.browser, env.server);
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.locator('#register-form').getByLabel('Username', { exact: true }).fill(name.toUpperCase());
  await page.locator('#register-form').getByLabel('Email', { exact: true }).fill(`other-${name}@example.com`);
  await page.locator('#register-form').getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#reg-username-error', { hasText: 'taken' }).waitFor();
  await page.context().close();
});

test('a new user signs up, stays signed in across a reload, logs out and signs in by email', async () => {
  const name = uniqueName('ann');
  const page = await openPage(env.browser, env.server);
  await signUp(page, name);
  await page.reload();
  await page.locator('.me-name', { hasText: name }).waitFor();
  assert.equal(await page.locator('#auth').isHidden(), true);

  await page.getByRole('button', { name: new RegExp(name) }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.locator('#auth').waitFor({ state: 'visible' });
  await page.reload();
  await page.locator('#auth').waitFor({ state: 'visible' });

  await page.locator('#login-name').fill(`${name}@example.com`);
  await page.locator('#login-password').fill('wrong-password-1');
  await page.locator('#login-form').getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#login-form .form-error', { hasText: 'Wrong' }).waitFor();
  await signIn(page, `${name}@example.com`);
  await page.locator('.me-name', { hasText: name }).waitFor();
  assert.deepEqual(page.errors.filter((e) => !/WebSocket|status of 40[14]/.test(e)), []);
  await page.context().close();
});

test('an expired access token does not sign the user out', async () => {
  // The server runs with --access-token-ttl 5.
  const name = uniqueName('idle');
  const other = uniqueName('findme');
  await apiRegister(env.server, other);
  const page = await openPage(env.browser, env.server);
  await signUp(page, name);
  await sleep(12000);
  // User search needs a valid token: suggestions prove the session lives on.
  await page.getByRole('button', { name: 'Direct message' }).first().click();
  await page.locator('dialog').getByLabel('Username').fill(other.slice(0, 6));
  await page.getByRole('option', { name: other }).waitFor();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await page.reload();
  await page.locator('.me-name', { hasText: name }).waitFor();
  await page.context().close();
});

test('a guest continues without an account and can leave again', async () => {
  const page = await openPage(env.browser, env.server);
  await page.getByRole('button', { name: 'Continue as guest' }).click();
  await page.locator('.me-role', { hasText: 'guest' }).waitFor();
  assert.equal(await page.locator('#new-chat').isHidden(), true, 'guests cannot create chats');
  await page.reload();
  await page.locator('.me-role', { hasText: 'guest' }).waitFor();
  await page.context().close();
});

test('deleting the account asks for the password', async () => {
  const name = uniqueName('bye');
  const page = await openPage(env.browser, env.server);
  await signUp(page, name);
  await page.getByRole('button', { name: new RegExp(name) }).click();
  await page.getByRole('menuitem', { name: 'Delete account…' }).click();
  await page.getByLabel('Confirm with your password').fill('not-my-password-9');
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await page.locator('dialog .form-error', { hasText: 'Wrong password' }).waitFor();
  await page.getByLabel('Confirm with your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await page.locator('#auth').waitFor({ state: 'visible' });
  await page.locator('#login-name').fill(name);
  await page.locator('#login-password').fill(PASSWORD);
  await page.locator('#login-form').getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#login-form .form-error', { hasText: 'Wrong' }).waitFor();
  await page.context().close();
});
