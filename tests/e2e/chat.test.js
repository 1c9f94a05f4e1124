// Two people in two browsers: creating a chat, live messages both ways,
// history after a reload, unknown member names, HTML in messages, and a
// session that outlives its access token.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, openPage, signUp, signIn, uniqueName, apiRegister, apiLogin, apiCall, screenshot, sleep, eventually,
} from './helpers.js';

const env = useServerAndBrowser({ args: ['--access-token-ttl', '5'] });

const bodies = (page) => page.locator('#messages .msg-body').allTextContents();

async function send(page, text) {
  const input = page.getByLabel('Message', { exact: true });
  await input.fill(text);
  await input.press('Enter');
}

async function expectMessage(page, text) {
  await page.locator('#messages .msg:not(.pending) .msg-body', { hasText: text }).first().waitFor();
}

/** Alice creates a chat with `members` through the dialog, typing names and picking suggestions. */
async function createChat(page, name, members, { pick = true } = {}) {
  await page.locator('#new-chat').click();
  await page.locator('dialog').getByLabel('Name', { exact: true }).fill(name);
  const input = page.locator('dialog').getByLabel('Members', { exact: true });
  for (const m of members) {
    if (pick) {
      await input.fill(m.slice(0, Math.max(3, m.length - 2)));
      await page.getByRole('option', { name: m, exact: true }).click();
    } else {
      await input.fill(m);
      await input.press('Enter');
    }
  }
  await page.getByRole('button', { name: 'Create', exact: true }).click();
}

test('two users chat live both ways and keep their history across a reload', async () => {
  const alice = await openPage(env.browser, env.server);
  const bob = await openPage(env.browser, env.server);
  const aliceName = uniqueName('alice');
  const bobName = uniqueName('bob');
  await signUp(alice, aliceName);
  await signUp(bob, bobName);

  await createChat(alice, 'launch-plan', [bobName]);
  await alice.locator('#chat-title', { hasText: 'launch-plan' }).waitFor();
  await alice.locator('#conn-pill[data-state="online"]').waitFor();

  // Bob's sidebar shows the new chat live.
  const bobItem = bob.locator('.chat-item', { hasText: 'launch-plan' });
  await bobItem.waitFor();
  await send(alice, 'Hi Bob, ready for the launch?');
  await expectMessage(alice, 'Hi Bob, ready for the launch?');
  await bob.locator('.chat-item.has-unread .badge', { hasText: '1' }).waitFor();
  await bobItem.click();
  await expectMessage(bob, 'Hi Bob, ready for the launch?');
  await bob.locator('.chat-item.has-unread').waitFor({ state: 'detached' });

  await send(bob, 'Ready!\nShipping at noon.');
  await expectMessage(alice, 'Shipping at noon.');
  await send(alice, 'Great');
  await expectMessage(bob, 'Great');
  assert.deepEqual(await bodies(bob), ['Hi Bob, ready for the launch?', 'Ready!\nShipping at noon.', 'Great']);
  await screenshot(alice, 'conversation');
  await alice.locator('#members-toggle').click();
  await alice.locator('.member', { hasText: bobName }).waitFor();
  await screenshot(alice, 'members-panel');
  await alice.locator('#members-toggle').click();

  await alice.reload();
  await bob.reload();
  for (const page of [alice, bob]) {
    await page.locator('#chat-title', { hasText: 'launch-plan' }).waitFor();
    await expectMessage(page, 'Great');
    assert.deepEqual(await bodies(page), ['Hi Bob, ready for the launch?', 'Ready!\nShipping at noon.', 'Great']);
  }
  // The sidebar preview shows the last message.
  await alice.locator('.chat-item', { hasText: 'launch-plan' }).locator('.chat-item-preview', { hasText: 'Great' }).waitFor();
  // Nothing in the UI trips the Content-Security-Policy or throws.
  for (const page of [alice, bob]) {
    assert.deepEqual(page.errors.filter((e) => /Content Security Policy|Uncaught|TypeError|ReferenceError/.test(e)), []);
  }
  await alice.context().close();
  await bob.context().close();
});

test('an unknown member name is pointed out and nothing is created', async () => {
  const page = await openPage(env.browser, env.server);
  const friend = uniqueName('carol');
  await apiRegister(env.server, friend);
  await signUp(page, uniqueName('dave'));
  await createChat(page, 'typo-chat', [friend, 'nobody_here_42'], { pick: false });
  await page.locator('dialog .form-error', { hasText: 'nobody_here_42' }).waitFor();
  await page.locator('dialog .chip-bad', { hasText: 'nobody_here_42' }).waitFor();
  assert.equal(await page.locator('dialog .chip-bad', { hasText: friend }).count(), 0);
  await screenshot(page, 'new-chat-unknown-user');
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await page.locator('.chat-item', { hasText: 'typo-chat' }).count(), 0);
  await page.context().close();
});

test('a message containing HTML shows as text and runs nothing', async () => {
  const alice = await openPage(env.browser, env.server);
  const bob = await openPage(env.browser, env.server);
  const bobName = uniqueName('bob');
  await signUp(alice, uniqueName('mallory'));
  await signUp(bob, bobName);
  await createChat(alice, '<b>bold</b> chat', [bobName]);
  const evil = '<img src=x onerror="window.__pwned=1;alert(1)"> <script>window.__pwned=2</script>';
  await send(alice, evil);
  await bob.locator('.chat-item', { hasText: '<b>bold</b> chat' }).click();
  for (const page of [alice, bob]) {
    await expectMessage(page, '<img src=x');
    assert.equal((await bodies(page)).at(-1), evil);
    assert.equal(await page.locator('#messages img, #messages script, #messages b').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(page.dialogs, []);
    assert.equal(await page.locator('#chat-title').textContent(), '<b>bold</b> chat');
  }
  await alice.context().close();
  await bob.context().close();
});

test('an expired access token neither signs out nor disconnects', async () => {
  // The server runs with --access-token-ttl 5: the UI must refresh it and
  // renew the socket several times during this test.
  const alice = await openPage(env.browser, env.server);
  const bob = await openPage(env.browser, env.server);
  const bobName = uniqueName('bob');
  await signUp(alice, uniqueName('alice'));
  await signUp(bob, bobName);
  await createChat(alice, 'long-day', [bobName]);
  await bob.locator('.chat-item', { hasText: 'long-day' }).click();
  await sleep(15000);
  for (const page of [alice, bob]) {
    assert.equal(await page.locator('#auth').isHidden(), true);
    assert.equal(await page.locator('#conn-pill').getAttribute('data-state'), 'online');
  }
  await send(alice, 'still here after the token expired');
  await expectMessage(bob, 'still here after the token expired');
  await send(bob, 'me too');
  await expectMessage(alice, 'me too');
  await eventually(async () => (await bodies(bob)).length === 2, 'two messages');
  await alice.context().close();
  await bob.context().close();
});

test('older messages load on scrolling up without the view jumping; Shift+Enter breaks the line', async () => {
  const author = uniqueName('hist');
  await apiRegister(env.server, author);
  // This server's access tokens live 5 s: log in again now and then.
  let token = await apiLogin(env.server, author);
  const chat = await apiCall(env.server, token, 'POST', '/chats', { name: 'long-history', members: [] });
  for (let i = 1; i <= 130; i += 1) {
    if (i % 20 === 0) token = await apiLogin(env.server, author);
    // REST sends share the per-user send budget: wait out a 429 and send again.
    for (;;) {
      try {
        await apiCall(env.server, token, 'POST', `/chats/${chat.id}/messages`, { body: `history line ${i}` });
        break;
      } catch (e) {
        if (!String(e.message).includes(': 429 ')) throw e;
        await sleep(300);
      }
    }
  }
  const page = await openPage(env.browser, env.server);
  await signIn(page, author);
  await page.locator('.chat-item', { hasText: 'long-history' }).click();
  await expectMessage(page, 'history line 130');
  assert.equal(await page.locator('#messages .msg').count(), 50);
  assert.equal((await bodies(page))[0], 'history line 81');

  // Scroll to the top: the next 50 arrive above, the line we were looking at stays put.
  const anchor = page.locator('#messages .msg-body', { hasText: /^history line 81$/ });
  await page.locator('#messages').evaluate((el) => { el.scrollTop = 0; });
  await eventually(async () => (await page.locator('#messages .msg').count()) >= 100, '100 messages');
  const box = await anchor.boundingBox();
  assert.ok(box.y > 40 && box.y < 400, `the line at the top is still at the top (y=${box.y})`);
  assert.ok(await page.locator('#messages').evaluate((el) => el.scrollTop) > 500, 'the older messages are above, out of view');
  await page.locator('#messages').evaluate((el) => { el.scrollTop = 0; });
  await eventually(async () => (await page.locator('#messages .msg').count()) === 130, 'all 130 messages');
  await page.locator('.timeline-start', { hasText: 'Welcome to long-history' }).waitFor();
  const all = await bodies(page);
  assert.deepEqual(all, Array.from({ length: 130 }, (_, i) => `history line ${i + 1}`));

  const input = page.getByLabel('Message', { exact: true });
  await input.click();
  await page.keyboard.type('first line');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('second line');
  await page.keyboard.press('Enter');
  await expectMessage(page, 'second line');
  assert.equal((await bodies(page)).at(-1), 'first line\nsecond line');
  assert.equal(await input.inputValue(), '');
  await page.context().close();
});

test('reading a chat in one session clears its unread badge in the other', async () => {
  const aliceName = uniqueName('alice');
  const bobName = uniqueName('bob');
  await apiRegister(env.server, aliceName);
  await apiRegister(env.server, bobName);
  let token = await apiLogin(env.server, aliceName);
  const chat = await apiCall(env.server, token, 'POST', '/chats', { name: 'two-tabs', members: [bobName] });
  const phone = await openPage(env.browser, env.server);
  const laptop = await openPage(env.browser, env.server);
  await signIn(phone, bobName);
  await signIn(laptop, bobName);
  for (const page of [phone, laptop]) await page.locator('#conn-pill[data-state="online"]').waitFor();
  token = await apiLogin(env.server, aliceName); // tokens live 5 s on this server
  await apiCall(env.server, token, 'POST', `/chats/${chat.id}/messages`, { body: 'did you see this?' });
  await apiCall(env.server, token, 'POST', `/chats/${chat.id}/messages`, { body: 'and this?' });
  for (const page of [phone, laptop]) await page.locator('.chat-item .badge', { hasText: '2' }).waitFor();
  await laptop.locator('.chat-item', { hasText: 'two-tabs' }).click();
  await expectMessage(laptop, 'and this?');
  await phone.locator('.chat-item .badge').waitFor({ state: 'detached' });
  await phone.reload();
  await phone.locator('.chat-item', { hasText: 'two-tabs' }).waitFor();
  assert.equal(await phone.locator('.chat-item .badge').count(), 0, 'the server agrees after a reload');
  await phone.context().close();
  await laptop.context().close();
});

test('an owner adds and removes members from the members panel, live for the member', async () => {
  const owner = await openPage(env.browser, env.server);
  const carol = await openPage(env.browser, env.server);
  const carolName = uniqueName('carol');
  await signUp(owner, uniqueName('owner'));
  await signUp(carol, carolName);
  await createChat(owner, 'inner-circle', []);
  await owner.locator('#chat-title', { hasText: 'inner-circle' }).waitFor();
  await owner.locator('#members-toggle').click();
  const add = owner.getByLabel('Add someone');
  await add.fill('no_such_person_7');
  await add.press('Enter');
  await owner.locator('#members-panel .field-error', { hasText: 'no_such_person_7' }).waitFor();
  await add.fill(carolName);
  await add.press('Enter');
  await owner.locator('#members-panel .member', { hasText: carolName }).waitFor();
  await carol.locator('.chat-item', { hasText: 'inner-circle' }).waitFor();

  await owner.getByRole('button', { name: `Remove ${carolName}` }).click();
  await owner.locator('dialog').getByRole('button', { name: 'Remove' }).click();
  await owner.locator('#members-panel .member', { hasText: carolName }).waitFor({ state: 'detached' });
  await carol.locator('.chat-item', { hasText: 'inner-circle' }).waitFor({ state: 'detached' });
  await owner.context().close();
  await carol.context().close();
});

test('a direct message is titled with the other person and shows their presence', async () => {
  const alice = await openPage(env.browser, env.server);
  const bob = await openPage(env.browser, env.server);
  const aliceName = uniqueName('alice');
  const bobName = uniqueName('bob');
  await signUp(alice, aliceName);
  await signUp(bob, bobName);
  await bob.locator('#conn-pill[data-state="online"]').waitFor();
  await alice.getByRole('button', { name: 'Direct message' }).first().click();
  await alice.locator('dialog').getByLabel('Username').fill(bobName.slice(0, 5));
  await alice.getByRole('option', { name: bobName }).click();
  await alice.getByRole('button', { name: 'Open conversation' }).click();
  await alice.locator('#chat-title', { hasText: bobName }).waitFor();
  await send(alice, 'psst');
  const item = bob.locator('.chat-item', { hasText: aliceName });
  await item.waitFor();
  await item.click();
  await bob.locator('#chat-title', { hasText: aliceName }).waitFor();
  await expectMessage(bob, 'psst');
  // Asking again opens the same conversation.
  await alice.getByRole('button', { name: 'Direct message' }).first().click();
  await alice.locator('dialog').getByLabel('Username').fill(bobName);
  await alice.getByRole('button', { name: 'Open conversation' }).click();
  await expectMessage(alice, 'psst');
  assert.equal(await alice.locator('.chat-item', { hasText: bobName }).count(), 1);
  // Presence: the server lists who is online in a shared chat when a socket
  // connects, then announces comings and goings.
  await alice.reload();
  await alice.locator('#chat-subtitle', { hasText: 'Online' }).waitFor();
  await bob.context().close();
  await alice.context().close();
});

test('messages refused by the send rate limit can be retried and are stored once', async () => {
  const name = uniqueName('fast');
  await apiRegister(env.server, name);
  let token = await apiLogin(env.server, name);
  const chat = await apiCall(env.server, token, 'POST', '/chats', { name: 'burst', members: [] });
  const page = await openPage(env.browser, env.server);
  await signIn(page, name);
  await page.locator('.chat-item', { hasText: 'burst' }).click();
  await page.locator('#conn-pill[data-state="online"]').waitFor();
  await page.locator('.timeline-empty').waitFor();
  // 80 sends in one go: more than the per-session burst allows.
  await page.evaluate(() => {
    const input = document.getElementById('composer-input');
    for (let i = 1; i <= 80; i += 1) {
      input.value = `burst ${i}`;
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    }
  });
  await page.locator('.msg.failed').first().waitFor();
  await page.locator('.msg.failed .msg-failed').first().waitFor();
  // Retry every failed one (the button keeps its client_id). A retry can be
  // refused again, and the app retries refused sends on its own too, so a
  // message counted as failed may be on its way by the time of the click.
  await eventually(async () => {
    const failed = page.locator('.msg.failed');
    if ((await failed.count()) === 0) return true;
    await failed.first().getByRole('button', { name: 'Retry' }).click({ timeout: 1000 }).catch(() => {});
    return false;
  }, 'every failed message retried', 60000);
  await eventually(async () => (await page.locator('#messages .msg:not(.pending)').count()) === 80, '80 stored messages', 20000);
  const stored = [];
  let before = '';
  token = await apiLogin(env.server, name);
  for (;;) {
    const page50 = await apiCall(env.server, token, 'GET', `/chats/${chat.id}/messages?limit=100${before}`);
    stored.unshift(...page50);
    if (page50.length < 100) break;
    before = `&before=${page50[0].id}`;
  }
  assert.equal(stored.length, 80);
  assert.deepEqual(new Set(stored.map((m) => m.body)).size, 80);
  await page.context().close();
});

test('a member leaves a chat and the owner deletes it', async () => {
  const owner = await openPage(env.browser, env.server);
  const dan = await openPage(env.browser, env.server);
  const danName = uniqueName('dan');
  await signUp(owner, uniqueName('owner'));
  await signUp(dan, danName);
  await createChat(owner, 'short-lived', [danName]);
  await owner.locator('#chat-title', { hasText: 'short-lived' }).waitFor();
  await owner.locator('#chat-subtitle', { hasText: '2 members' }).waitFor();

  await dan.locator('.chat-item', { hasText: 'short-lived' }).click();
  await dan.getByRole('button', { name: 'Chat options' }).click();
  await dan.getByRole('menuitem', { name: 'Leave chat' }).click();
  await dan.locator('dialog').getByRole('button', { name: 'Leave' }).click();
  await dan.locator('.chat-item', { hasText: 'short-lived' }).waitFor({ state: 'detached' });
  await dan.locator('#empty-view').waitFor();

  await owner.getByRole('button', { name: 'Chat options' }).click();
  await owner.getByRole('menuitem', { name: 'Delete chat…' }).click();
  await owner.locator('dialog').getByRole('button', { name: 'Delete chat' }).click();
  await owner.locator('.chat-item', { hasText: 'short-lived' }).waitFor({ state: 'detached' });
  await owner.locator('#empty-view').waitFor();
  await owner.reload();
  await owner.locator('.empty-card').waitFor();
  assert.equal(await owner.locator('.chat-item', { hasText: 'short-lived' }).count(), 0);
  await owner.context().close();
  await dan.context().close();
});
