// Accessibility: axe-core over the sign-in screen and the main screen with
// a conversation open, at desktop and phone width, in English and in
// Russian. No critical or serious violation may be reported.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { useServerAndBrowser, openPage, signIn, uniqueName, apiRegister, apiLogin, apiCall } from './helpers.js';

const env = useServerAndBrowser();
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe in the page (through the debugger, so the page's CSP does not apply). */
async function serious(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const CASES = [
  ['desktop', { width: 1280, height: 800 }, 'en-US'],
  ['phone', { width: 390, height: 844 }, 'en-US'],
  ['desktop', { width: 1280, height: 800 }, 'ru-RU'],
  ['phone', { width: 390, height: 844 }, 'ru-RU'],
];

for (const [label, viewport, locale] of CASES) {
  test(`no serious accessibility violation at ${label} width (${locale})`, async () => {
    const ann = uniqueName('ann');
    const bob = uniqueName('bob');
    await apiRegister(env.server, ann);
    await apiRegister(env.server, bob);
    const token = await apiLogin(env.server, ann);
    const chat = await apiCall(env.server, token, 'POST', '/chats', { name: 'general', members: [bob] });
    await apiCall(env.server, token, 'POST', `/chats/${chat.id}/messages`, { body: 'hello there' });
    await apiCall(env.server, await apiLogin(env.server, bob), 'POST', `/chats/${chat.id}/messages`, { body: 'hi ann' });

    const page = await openPage(env.browser, env.server, { viewport, locale });
    await page.locator('#login-form').waitFor();
    assert.deepEqual(await serious(page), [], 'sign-in screen');

    await signIn(page, ann);
    await page.goto(`/#/chat/${chat.id}`);
    await page.locator('.msg-body', { hasText: 'hi ann' }).waitFor();
    assert.deepEqual(await serious(page), [], 'main screen with a conversation');
    await page.context().close();
  });
}
