// Takes the screenshots in docs/screenshots/ from a small, realistic scene on
// the real server:  MICROCHAT_BIN=… node tests/e2e/screenshots.js

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, launchBrowser, openPage, signIn, apiRegister, apiLogin, apiCall, SCREENSHOTS, sleep,
} from './helpers.js';

const server = await startServer();
const browser = await launchBrowser();
mkdirSync(SCREENSHOTS, { recursive: true });
const shot = (page, name) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

try {
  const people = ['maya', 'leo', 'sam', 'priya', 'jonas'];
  const tokens = {};
  for (const name of people) {
    await apiRegister(server, name);
    tokens[name] = await apiLogin(server, name);
  }
  server.setRole('maya', 'admin');
  const as = (name, method, path, body) => apiCall(server, tokens[name], method, path, body);
  const upload = async (name, filename, type, bytes) => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), filename);
    const res = await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: { Authorization: `Bearer ${tokens[name]}` }, body: form });
    if (res.status !== 201) throw new Error(`upload ${filename}: ${res.status}`);
    return (await res.json()).id;
  };
  // A plausible design mockup, drawn by Chromium.
  const drawMockup = async () => {
    const scratch = await browser.newPage();
    const b64 = await scratch.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 640;
      c.height = 400;
      const g = c.getContext('2d');
      g.fillStyle = '#f4f1fb';
      g.fillRect(0, 0, 640, 400);
      g.fillStyle = '#3f0e40';
      g.fillRect(0, 0, 640, 48);
      g.fillStyle = '#ffffff';
      g.fillRect(170, 110, 300, 200);
      g.fillStyle = '#d9cfe8';
      g.beginPath();
      g.arc(320, 170, 34, 0, Math.PI * 2);
      g.fill();
      g.fillStyle = '#c9c2d3';
      g.fillRect(220, 222, 200, 12);
      g.fillRect(250, 244, 140, 10);
      g.fillStyle = '#1264a3';
      g.fillRect(265, 268, 110, 28);
      return c.toDataURL('image/png').split(',')[1];
    });
    await scratch.close();
    return Buffer.from(b64, 'base64');
  };

  const design = await as('maya', 'POST', '/chats', { name: 'design-review', members: ['leo', 'sam', 'priya'] });
  const general = await as('leo', 'POST', '/chats', { name: 'general', members: ['maya', 'sam', 'priya', 'jonas'], public: true });
  await as('sam', 'POST', '/chats', { name: 'release-train', members: [], public: true });
  const dm = await as('leo', 'POST', '/chats/direct', { username: 'maya' });
  const say = (who, chat, body) => as(who, 'POST', `/chats/${chat.id}/messages`, { body });

  await say('sam', general, 'Morning all ☀️ coffee machine on 3 is fixed');
  await say('jonas', general, 'Finally 🎉');
  await say('maya', design, 'Kicking off the review of the new onboarding flow. Figma link is in the doc.');
  await say('leo', design, 'Looked at it last night. The empty states are lovely.');
  await say('leo', design, 'One thing: the sign-up form shows all errors at once, could we show them per field?');
  await say('priya', design, 'Agree. Also the password hint should stay visible while typing.');
  await say('sam', design, 'I can take that. Ship it behind a flag on Thursday?');
  await say('maya', design, 'Sounds good 👍\nLeo, can you write up the copy changes?');
  await say('leo', design, 'On it, will share by lunch.');
  const mockup = await upload('leo', 'empty-state-v2.png', 'image/png', await drawMockup());
  const copy = await upload('leo', 'onboarding-copy.pdf', 'application/pdf',
    Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'));
  await as('leo', 'POST', `/chats/${design.id}/messages`, { body: 'Copy changes and the new empty state:', attachments: [mockup, copy] });
  await say('leo', dm, 'Got a minute after standup?');
  await say('priya', design, 'Reminder: usability session at 15:00 in room Ada.');

  // Maya on a laptop, light theme.
  const maya = await openPage(browser, server);
  await maya.locator('#login-name').waitFor();
  await shot(maya, 'sign-in');
  await signIn(maya, 'maya');
  await maya.locator('.chat-item', { hasText: 'design-review' }).waitFor();
  await shot(maya, 'welcome');
  await maya.locator('.chat-item', { hasText: 'design-review' }).click();
  await maya.locator('#messages .msg-body', { hasText: 'usability session' }).waitFor();

  // Leo is online and typing.
  const leo = await openPage(browser, server);
  await signIn(leo, 'leo');
  await leo.locator('.chat-item', { hasText: 'design-review' }).click();
  await leo.getByLabel('Message', { exact: true }).pressSequentially('Here are the', { delay: 30 });
  await maya.locator('#typing', { hasText: 'leo is typing' }).waitFor();
  await shot(maya, 'conversation');

  await maya.locator('#members-toggle').click();
  await maya.locator('.member', { hasText: 'leo' }).waitFor();
  await shot(maya, 'members');
  await maya.locator('#members-toggle').click();

  await maya.locator('#new-chat').click();
  await maya.locator('dialog').getByLabel('Name', { exact: true }).fill('offsite-2027');
  await maya.locator('dialog').getByLabel('Members', { exact: true }).fill('priya');
  await maya.locator('dialog').getByLabel('Members', { exact: true }).press('Enter');
  await maya.locator('dialog').getByLabel('Members', { exact: true }).fill('jonsa');
  await maya.locator('dialog').getByLabel('Members', { exact: true }).press('Enter');
  await maya.locator('dialog').getByRole('button', { name: 'Create', exact: true }).click();
  await maya.locator('dialog .chip-bad').waitFor();
  await maya.locator('dialog').getByLabel('Members', { exact: true }).fill('jo');
  await maya.getByRole('option', { name: 'jonas' }).waitFor();
  await shot(maya, 'new-chat');
  await maya.keyboard.press('Escape');
  await maya.keyboard.press('Escape');

  await maya.locator('#browse-public').click();
  await maya.locator('.directory-item', { hasText: 'release-train' }).waitFor();
  await shot(maya, 'browse-public');
  await maya.keyboard.press('Escape');

  await maya.getByRole('link', { name: 'Admin' }).click();
  await maya.locator('#admin-users tr', { hasText: 'jonas' }).waitFor();
  await shot(maya, 'admin');

  // Dark theme.
  const dark = await openPage(browser, server, { colorScheme: 'dark' });
  await signIn(dark, 'priya');
  await dark.locator('.chat-item', { hasText: 'design-review' }).click();
  await dark.locator('#messages .msg-body', { hasText: 'usability session' }).waitFor();
  await shot(dark, 'conversation-dark');

  // Phone.
  const phone = await openPage(browser, server, { viewport: { width: 390, height: 800 } });
  await signIn(phone, 'sam');
  await phone.locator('.chat-item', { hasText: 'design-review' }).waitFor();
  await sleep(300);
  await shot(phone, 'phone-chats');
  await phone.locator('.chat-item', { hasText: 'design-review' }).click();
  await phone.locator('#messages .msg-body', { hasText: 'usability session' }).waitFor();
  await shot(phone, 'phone-conversation');

  // A guest reading a public chat.
  const guest = await openPage(browser, server);
  await guest.getByRole('button', { name: 'Continue as guest' }).click();
  await guest.locator('#browse-public').click();
  await guest.getByRole('button', { name: /general/ }).click();
  await guest.locator('#messages .msg-body', { hasText: 'Finally' }).waitFor();
  await shot(guest, 'guest');

  // Connection lost.
  await server.stop();
  await maya.locator('.chat-item', { hasText: 'design-review' }).click();
  await maya.locator('#conn-banner').waitFor({ state: 'visible' });
  await sleep(500);
  await shot(maya, 'reconnecting');
  console.log(`screenshots in ${SCREENSHOTS}`);
} finally {
  await browser.close();
  await server.close();
}
