// Presence in a large chat (issue 12): with --presence-max-members 3 a chat
// of four gets no `presence` frames, so its member list asks the server with
// `presence_query` and shows the answer as online dots; a small chat's list
// still runs on the frames.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, openPage, signIn, uniqueName, apiRegister, apiLogin, apiCall, sleep, eventually,
} from './helpers.js';

const env = useServerAndBrowser({ args: ['--presence-max-members', '3'] });

/** Records the page's WebSocket frames: `sent` and `received`, parsed. */
function watchFrames(page) {
  const frames = { sent: [], received: [] };
  page.on('websocket', (ws) => {
    const parse = (list) => (f) => {
      try {
        list.push(JSON.parse(f.payload));
      } catch {
        /* not JSON */
      }
    };
    ws.on('framesent', parse(frames.sent));
    ws.on('framereceived', parse(frames.received));
  });
  return frames;
}

const dot = (page, name) => page.locator('#members-panel .member', { hasText: name }).locator('.presence');

test('a large chat\'s member list asks who is online; a small one hears it', async () => {
  const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map(uniqueName);
  const ids = {};
  for (const name of [alice, bob, carol, dave]) ids[name] = (await apiRegister(env.server, name)).id;
  const token = await apiLogin(env.server, alice);
  await apiCall(env.server, token, 'POST', '/chats', { name: 'town', members: [bob, carol, dave] });
  await apiCall(env.server, token, 'POST', '/chats', { name: 'pair', members: [carol] });

  const bobPage = await openPage(env.browser, env.server);
  await signIn(bobPage, bob);
  await bobPage.locator('#conn-pill[data-state="online"]').waitFor();
  const carolPage = await openPage(env.browser, env.server);
  await signIn(carolPage, carol);
  await carolPage.locator('#conn-pill[data-state="online"]').waitFor();

  const page = await openPage(env.browser, env.server);
  const frames = watchFrames(page);
  await signIn(page, alice);
  await page.locator('#conn-pill[data-state="online"]').waitFor();

  // The large chat: dots from the answer to a query, no presence frames.
  await page.locator('.chat-item', { hasText: 'town' }).click();
  await page.locator('#members-toggle').click();
  await dot(page, bob).and(page.locator('.on')).waitFor();
  await dot(page, carol).and(page.locator('.on')).waitFor();
  await dot(page, dave).and(page.locator('.off')).waitFor();
  const queries = frames.sent.filter((f) => f.type === 'presence_query');
  assert.ok(queries.length >= 1, 'the list asked');
  assert.ok(queries[0].user_ids.length === 4, JSON.stringify(queries[0]));
  const ready = frames.received.find((f) => f.type === 'ready');
  assert.ok(ready, 'ready seen');
  assert.equal(ready.presence_max_members, 3);
  assert.deepEqual(ready.online, [ids[carol]], 'only carol shares a small chat');
  assert.ok(!frames.received.some((f) => f.type === 'presence' && f.user_id === ids[bob]),
    'no presence frame comes through the large chat');

  // Bob goes; reopening the list asks again once the grace has passed.
  await bobPage.context().close();
  await page.locator('#members-toggle').click();
  await sleep(6000);
  // Bob's departure reaches the server late on a loaded machine: reopen
  // (each opening asks again) until the answer has him offline.
  await eventually(async () => {
    await page.locator('#members-toggle').click();
    try {
      await dot(page, bob).and(page.locator('.off')).waitFor({ timeout: 3000 });
      return true;
    } catch (e) {
      await page.locator('#members-toggle').click();
      throw e;
    }
  }, 'bob shown offline once the grace has passed', 60000);

  // The small chat: no query, the dot follows presence frames.
  const asked = frames.sent.filter((f) => f.type === 'presence_query').length;
  await page.locator('.chat-item', { hasText: 'pair' }).click();
  await dot(page, carol).and(page.locator('.on')).waitFor();
  await carolPage.context().close();
  await dot(page, carol).and(page.locator('.off')).waitFor({ timeout: 15000 });
  assert.equal(frames.sent.filter((f) => f.type === 'presence_query').length, asked);
  assert.deepEqual(page.errors.filter((e) => /Uncaught|TypeError|ReferenceError/.test(e)), []);
  await page.context().close();
});
