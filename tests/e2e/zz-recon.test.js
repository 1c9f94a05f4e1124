// The server goes away and comes back: everything sent meanwhile shows up
// exactly once on both sides.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, signUp, uniqueName, apiLogin, apiCall, eventually, sleep, screenshot } from './helpers.js';
const T0 = Date.now();
const logs = [];
const L = (...a) => logs.push(`${Date.now() - T0} ${a.join(' ')}`);

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const count = (page, text) => page.locator('#messages .msg-body', { hasText: text }).count();

test('after the server drops the socket, messages sent meanwhile appear once', async () => {
  const alice = await openPage(browser, server);
  const bob = await openPage(browser, server);
  const aliceName = uniqueName('alice');
  const bobName = uniqueName('bob');
  alice.on('websocket', (ws) => {
    L('alice WS open');
    ws.on('framereceived', (f) => L('alice RECV', String(f.payload).slice(0, 140)));
    ws.on('framesent', (f) => L('alice SENT', String(f.payload).slice(0, 100)));
    ws.on('close', () => L('alice WS close'));
  });
  alice.on('request', (r) => { if (r.url().includes('/api/')) L('alice HTTP', r.method(), r.url().slice(-50)); });
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
  await server.restart();
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
  const token = await apiLogin(server, aliceName);
  const chats = await apiCall(server, token, 'GET', '/chats');
  const ops = chats.find((c) => c.name === 'ops');
  await apiCall(server, token, 'POST', `/chats/${ops.id}/messages`, { body: 'missed message 4 (rest)', client_id: 'rest-4' });
  L('waiting for msg 3');
  try {
    await alice.locator('#messages .msg:not(.pending) .msg-body', { hasText: 'missed message 3' }).waitFor({ timeout: 15000 });
  } catch (e) {
    console.log(logs.join('\n'));
    console.log('SERVER', server.log.join(''));
    console.log('PILL', await alice.locator('#conn-pill').getAttribute('data-state'));
    throw e;
  }
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
  const stored = await apiCall(server, token, 'GET', `/chats/${ops.id}/messages`);
  assert.equal(stored.filter((m) => m.body === 'bob wrote this while offline').length, 1);
  assert.equal(stored.length, 6);
  await alice.context().close();
  await bob.context().close();
});
