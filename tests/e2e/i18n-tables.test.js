// The UI's string tables (static/i18n/*.js) against the code that uses
// them: every key the UI asks for exists in every language, the languages
// have the same keys, plurals have the forms their language's
// Intl.PluralRules picks, and placeholders match. No browser needed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const STATIC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'static');

async function table(lang) {
  // The tables are ES modules without a package.json nearby: read as text.
  const source = readFileSync(join(STATIC, 'i18n', `${lang}.js`), 'utf8');
  const url = `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`;
  return (await import(url)).default;
}

const LANGS = ['en', 'ru'];

/** Keys the code names literally: t('key'), data-i18n="key", data-i18n-attr="attr:key". */
function usedKeys() {
  const keys = new Set();
  const js = readdirSync(join(STATIC, 'js')).filter((f) => f.endsWith('.js'));
  for (const file of js) {
    const text = readFileSync(join(STATIC, 'js', file), 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z_.]+)'/g)) keys.add(m[1]);
    for (const m of text.matchAll(/'((?:auth|admin|invites|side|conn)\.[a-zA-Z_]+)'/g)) keys.add(m[1]);
  }
  const html = readFileSync(join(STATIC, 'index.html'), 'utf8');
  for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) keys.add(m[1]);
  for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) {
    for (const pair of m[1].split(';')) keys.add(pair.split(':')[1]);
  }
  return keys;
}

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const forms = (entry) => (typeof entry === 'string' ? [entry] : Object.values(entry));

test('every key the UI uses is in every language', async () => {
  for (const lang of LANGS) {
    const t = await table(lang);
    const missing = [...usedKeys()].filter((k) => !(k in t));
    assert.deepEqual(missing, [], `${lang} lacks keys`);
  }
});

test('the languages have the same keys, plural forms and placeholders', async () => {
  const en = await table('en');
  for (const lang of LANGS.filter((l) => l !== 'en')) {
    const other = await table(lang);
    assert.deepEqual(Object.keys(other).sort(), Object.keys(en).sort(), `${lang} and en keys differ`);
    const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
    for (const [key, entry] of Object.entries(other)) {
      assert.equal(typeof entry, typeof en[key], `${lang} ${key}: plural in one language only`);
      if (typeof entry === 'object') {
        for (const form of needed) assert.ok(entry[form], `${lang} ${key} lacks the "${form}" form`);
      }
      const want = placeholders(forms(en[key])[0]);
      for (const text of forms(entry)) assert.deepEqual(placeholders(text), want, `${lang} ${key}: placeholders`);
    }
  }
});

test('Russian plurals pick one, few and many', async () => {
  const ru = await table('ru');
  const rules = new Intl.PluralRules('ru');
  const pick = (n) => ru['members.count'][rules.select(n)].replace('{count}', n);
  assert.equal(pick(1), '1 участник');
  assert.equal(pick(3), '3 участника');
  assert.equal(pick(5), '5 участников');
  assert.equal(pick(21), '21 участник');
  assert.equal(pick(11), '11 участников');
});
