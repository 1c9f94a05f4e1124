// Files in the browser: attaching with the button (progress, images inline
// that open full size, chips that download), pasting and dropping images,
// cancelling and retrying uploads, and recording a voice message from a
// fake microphone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  useServerAndBrowser, openPage, signIn, uniqueName, apiRegister, apiLogin, apiCall, screenshot, eventually,
} from './helpers.js';

const env = useServerAndBrowser({
  browserArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
});

/** A small PNG (a red square) built by Chromium itself, as bytes. */
async function pngBytes(page, size = 120) {
  const b64 = await page.evaluate((n) => {
    const c = document.createElement('canvas');
    c.width = n;
    c.height = n / 2;
    const g = c.getContext('2d');
    g.fillStyle = '#d33';
    g.fillRect(0, 0, n, n / 2);
    return c.toDataURL('image/png').split(',')[1];
  }, size);
  return Buffer.from(b64, 'base64');
}

/** Alice and Bob, signed in in their own browsers, in one chat, both looking at it. */
async function pair(name) {
  const aliceName = uniqueName('alice');
  const bobName = uniqueName('bob');
  await apiRegister(env.server, aliceName);
  await apiRegister(env.server, bobName);
  const token = await apiLogin(env.server, aliceName);
  const chat = await apiCall(env.server, token, 'POST', '/chats', { name, members: [bobName] });
  const pages = [];
  for (const who of [aliceName, bobName]) {
    const page = await openPage(env.browser, env.server);
    await signIn(page, who);
    await page.locator('.chat-item', { hasText: name }).click();
    await page.locator('#chat-title', { hasText: name }).waitFor();
    await page.locator('#conn-pill[data-state="online"]').waitFor();
    pages.push(page);
  }
  return { alice: pages[0], bob: pages[1], chat, token };
}

async function sendComposer(page, text = '') {
  const input = page.getByLabel('Message', { exact: true });
  await input.fill(text);
  await input.press('Enter');
}

function noErrors(page) {
  assert.deepEqual(page.errors.filter((e) => /Content Security Policy|Uncaught|TypeError|ReferenceError/.test(e)), []);
}

test('attached files upload with progress, images open full size and other files download', async () => {
  const { alice, bob } = await pair('files-chat');
  const png = await pngBytes(alice, 800);
  await alice.locator('#file-input').setInputFiles([
    { name: 'diagram.png', mimeType: 'image/png', buffer: png },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('meeting notes\n') },
  ]);
  await alice.locator('#upload-tray .tray-item').nth(1).waitFor();
  await eventually(async () => (await alice.locator('#upload-tray .tray-item.done').count()) === 2, 'both uploaded');
  // The image shows a local preview while it waits to be sent (blob: URL, allowed by the CSP).
  await eventually(() => alice.locator('#upload-tray img.tray-thumb').evaluate((img) => img.complete && img.naturalWidth > 0), 'tray preview');
  await alice.getByLabel('Message', { exact: true }).fill('Here are the files');
  await screenshot(alice, 'upload-tray');
  await sendComposer(alice, 'Here are the files');

  for (const page of [alice, bob]) {
    await page.locator('#messages .msg:not(.pending) .att-image img').waitFor();
    await eventually(() => page.locator('#messages .att-image img').evaluate((img) => img.complete && img.naturalWidth > 0), 'thumbnail loaded');
    const chip = page.locator('#messages .att-file');
    await chip.waitFor();
    assert.equal(await chip.locator('.att-file-name').textContent(), 'notes.txt');
    assert.match(await chip.locator('.att-file-meta').textContent(), /^TXT · 14 B$/);
  }
  assert.equal(await alice.locator('#upload-tray').isHidden(), true, 'the tray empties on send');
  await screenshot(bob, 'attachments');

  // The thumbnail opens the full-size image.
  await bob.locator('#messages .att-image').click();
  const full = bob.locator('dialog.lightbox .lightbox-img');
  await full.waitFor();
  await eventually(() => full.evaluate((img) => img.complete && img.naturalWidth === 800), 'full image loaded');
  await bob.keyboard.press('Escape');
  await bob.locator('dialog.lightbox').waitFor({ state: 'detached' });

  // The chip downloads the file under its name.
  const [download] = await Promise.all([
    bob.waitForEvent('download'),
    bob.locator('#messages .att-file').click(),
  ]);
  assert.equal(download.suggestedFilename(), 'notes.txt');
  assert.equal(readFileSync(await download.path(), 'utf8'), 'meeting notes\n');

  for (const page of [alice, bob]) noErrors(page);
  await alice.context().close();
  await bob.context().close();
});

test('pasted and dropped images upload and send without text', async () => {
  const { alice, bob } = await pair('paste-chat');
  const png = (await pngBytes(alice, 64)).toString('base64');
  const input = alice.getByLabel('Message', { exact: true });
  await input.focus();
  await alice.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }));
    document.querySelector('#composer-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, png);
  await alice.locator('#upload-tray .tray-item.done', { hasText: 'screenshot.png' }).waitFor();
  assert.equal(await input.inputValue(), '', 'the image is not pasted as text');
  await alice.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
    const zone = document.querySelector('#chat-view');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, png);
  await alice.locator('#upload-tray .tray-item.done', { hasText: 'dropped.png' }).waitFor();
  await input.press('Enter');
  await bob.locator('#messages .msg .att-image').nth(1).waitFor();
  assert.equal(await bob.locator('#messages .msg-body').count(), 0, 'no text, only images');
  await bob.locator('.chat-item', { hasText: 'paste-chat' }).locator('.chat-item-preview', { hasText: '2 files' }).waitFor();
  for (const page of [alice, bob]) noErrors(page);
  await alice.context().close();
  await bob.context().close();
});

test('a slow upload shows its progress and can be cancelled; a failed one can be retried', async () => {
  const { alice, bob } = await pair('slow-chat');
  const cdp = await alice.context().newCDPSession(alice);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 512 * 1024,
  });
  await alice.locator('#file-input').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4 * 1024 * 1024, 7) });
  const bar = alice.locator('#upload-tray .tray-item.uploading progress');
  await bar.waitFor();
  const value = await eventually(async () => {
    const v = Number(await bar.evaluate((p) => p.value));
    return v > 0 && v < 1 ? v : null;
  }, 'progress between 0 and 1');
  assert.ok(value > 0 && value < 1);
  // Sending waits for uploads in flight.
  await sendComposer(alice, 'not yet');
  await alice.locator('#toast', { hasText: 'Wait for the uploads' }).waitFor();
  await alice.getByRole('button', { name: 'Cancel upload of big.bin' }).click();
  await alice.locator('#upload-tray').waitFor({ state: 'hidden' });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  // The network fails once: the upload is marked failed and retried by hand.
  await alice.route('**/api/v1/uploads', (route) => route.abort('failed'));
  await alice.locator('#file-input').setInputFiles({ name: 'retry.txt', mimeType: 'text/plain', buffer: Buffer.from('second try') });
  await alice.locator('#upload-tray .tray-item.failed', { hasText: 'retry.txt' }).waitFor();
  await alice.unroute('**/api/v1/uploads');
  await alice.locator('#upload-tray').getByRole('button', { name: 'Retry', exact: true }).click();
  await alice.locator('#upload-tray .tray-item.done', { hasText: 'retry.txt' }).waitFor();
  await sendComposer(alice, 'second try worked');
  await bob.locator('#messages .att-file', { hasText: 'retry.txt' }).waitFor();
  assert.equal(await bob.locator('#messages .att-file', { hasText: 'big.bin' }).count(), 0, 'the cancelled file never went');
  noErrors(bob);
  await alice.context().close();
  await bob.context().close();
});

test('a voice message is recorded, sent and played with its duration', async () => {
  const { alice, bob, chat, token } = await pair('voice-chat');
  await alice.getByRole('button', { name: 'Record voice message' }).click();
  await alice.locator('#recorder .rec-time').waitFor();
  await alice.locator('#recorder .rec-time', { hasText: '0:01' }).waitFor();
  await alice.locator('#recorder').getByRole('button', { name: 'Stop' }).click();
  const item = alice.locator('#upload-tray .tray-item.done');
  await item.waitFor();
  assert.match(await item.locator('.tray-meta').textContent(), /^Voice message · 0:0[12]$/);
  await alice.getByLabel('Message', { exact: true }).press('Enter');

  const player = bob.locator('#messages .att-audio');
  await player.waitFor();
  assert.equal(await player.locator('.att-audio-name').textContent(), 'Voice message');
  assert.match(await player.locator('.att-time').textContent(), /^0:0[12]$/);
  await screenshot(bob, 'voice-message');
  const [stored] = await apiCall(env.server, token, 'GET', `/chats/${chat.id}/messages`);
  const voice = stored.attachments[0];
  assert.match(voice.content_type, /^audio\/(webm|ogg)$/);
  assert.ok(voice.duration_ms >= 1000 && voice.duration_ms < 5000, `duration ${voice.duration_ms}`);

  // It plays: the player's time moves.
  await player.getByRole('button', { name: /^Play / }).click();
  await eventually(() => player.locator('audio').evaluate((a) => a.currentTime > 0), 'audio playing');
  for (const page of [alice, bob]) noErrors(page);
  await alice.context().close();
  await bob.context().close();
});

test('a file name with HTML in it shows as text and runs nothing', async () => {
  const { alice, bob } = await pair('names-chat');
  const evil = '<img src=x onerror=window.__pwned=1>.txt';
  await alice.locator('#file-input').setInputFiles({ name: evil, mimeType: 'text/plain', buffer: Buffer.from('x') });
  await alice.locator('#upload-tray .tray-item.done').waitFor();
  await sendComposer(alice, '');
  const name = bob.locator('#messages .att-file-name');
  await name.waitFor();
  assert.equal(await name.textContent(), evil);
  assert.equal(await bob.locator('#messages img').count(), 0);
  await bob.locator('.chat-item', { hasText: 'names-chat' }).locator('.chat-item-preview', { hasText: evil }).waitFor();
  for (const page of [alice, bob]) {
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    noErrors(page);
  }
  await alice.context().close();
  await bob.context().close();
});
