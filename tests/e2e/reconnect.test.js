// The server goes away and comes back: everything sent meanwhile shows up
// exactly once on both sides.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, openPage, signUp, uniqueName, apiLogin, apiCall, eventually, sleep, screenshot } from './helpers.js';

const env = useServerAndBrowser();

const count = (page, text) => page.locator('#messages .msg-body', { hasText: text }).count();

test('after the server drops the socket, messages sent meanwhile appear once', async () => {
  const alice = await openPage(env.browser, env.server);
  const bob = await openPage(env.browser, env.server);
  const aliceName = uniqueName('alice');
  const bobName = uniqueName('bob');
  await signUp(alice, aliceName);
  await signUp(bob, bobName);

  // Bob's socket goes through a gate so that we decide when he gets back.
  let gateOpen = true;
  await bob.routeWebSocket(/\/api\/v1\/ws/, (ws) => {
    if (gateOpen) ws.connectToServer();
    else ws.close();
  });
  await bob.reload();
  await bob.locator('#conn-pill[data-state="online"]').waitFor();

  await alice.locator('#new-chat').click();
  await alice.locator('dialog').getByLabel('Name', { exact: true }).fill('ops');
  await alice.locator('dialog').getByLabel('Members', { exact: true }).fill(bobName);
  await alice.locator('dialog').getByLabel('Members', { exact: true }).press('Enter');
  await alice.getByRole('button', { name: 'Create', exact: true }).click();
  await alice.locator('#chat-title', { hasText: 'ops' }).waitFor();
  await bob.locator('.chat-item', { hasText: 'ops' }).click();
  const input = (page) => page.getByLabel('Message', { exact: true });
  await input(alice).fill('before the outage');
  await input(alice).press('Enter');
  await bob.locator('#messages .msg-body', { hasText: 'before the outage' }).waitFor();

  // The server restarts: both sockets drop. Bob stays cut off for a while.
  gateOpen = false;
  await env.server.restart();
  await bob.locator('#conn-banner').waitFor({ state: 'visible' });
  await input(bob).fill('bob wrote this while offline');
  await input(bob).press('Enter');
  await bob.locator('.msg.pending .msg-body', { hasText: 'bob wrote this while offline' }).waitFor();
  await screenshot(bob, 'reconnecting');

  // Alice is back first and writes; another of her sessions writes over REST.
  await alice.locator('#conn-pill[data-state="online"]').waitFor({ timeout: 20000 });
  for (const n of [1, 2, 3]) {
    await input(alice).fill(`missed message ${n}`);
    await input(alice).press('Enter');
  }
  const token = await apiLogin(env.server, aliceName);
  const chats = await apiCall(env.server, token, 'GET', '/chats');
  const ops = chats.find((c) => c.name === 'ops');
  await apiCall(env.server, token, 'POST', `/chats/${ops.id}/messages`, { body: 'missed message 4 (rest)', client_id: 'rest-4' });
  await alice.locator('#messages .msg:not(.pending) .msg-body', { hasText: 'missed message 3' }).waitFor();
  assert.equal(await count(bob, 'missed message'), 0, 'bob is still offline');

  // Bob gets back: sync brings what he missed, his queued message goes out once.
  gateOpen = true;
  await bob.locator('#conn-pill[data-state="online"]').waitFor({ timeout: 40000 });
  await eventually(async () => (await count(bob, 'missed message 4')) === 1, 'bob sees the REST message');
  await alice.locator('#messages .msg-body', { hasText: 'bob wrote this while offline' }).waitFor();
  await sleep(1500);
  for (const page of [alice, bob]) {
    for (const text of ['before the outage', 'missed message 1', 'missed message 2', 'missed message 3', 'missed message 4', 'bob wrote this while offline']) {
      assert.equal(await count(page, text), 1, `${text} appears once`);
    }
    assert.equal(await page.locator('#messages .msg.pending').count(), 0);
  }
  // And the stored history agrees.
  const stored = await apiCall(env.server, token, 'GET', `/chats/${ops.id}/messages`);
  assert.equal(stored.filter((m) => m.body === 'bob wrote this while offline').length, 1);
  assert.equal(stored.length, 6);
  await alice.context().close();
  await bob.context().close();
});
