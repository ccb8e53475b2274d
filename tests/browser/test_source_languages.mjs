// SPDX-License-Identifier: AGPL-3.0-or-later
// Issue 17 §3: each language through the happy path (the landing page, a
// codename, a submission, logout, login, what was sent), under its URL prefix,
// each heading the catalogue's own text; Persian and Arabic right to left with
// the layout mirrored. JavaScript off, at phone and desktop size. Screenshots
// go to $SHOTS when set.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ok, done, makeInstance, serve, browser, cleanup } from './lib.mjs';

const root = process.env.CUTOUT_ROOT || join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The catalogue's texts (tools/embed_i18n.py's format: key = text, indented continuations).
function catalogue(lang) {
  const out = {};
  let last = null;
  for (const line of readFileSync(join(root, 'data', 'i18n', lang + '.cat'), 'utf8').split('\n')) {
    if (/^\s*#/.test(line) || line.trim() === '') continue;
    const m = line.match(/^([a-z0-9_.]+) = (.*)$/);
    if (m) { last = m[1]; out[last] = m[2].trim(); } else if (last && /^\s/.test(line)) out[last] += ' ' + line.trim();
  }
  return out;
}

const { base, dir } = makeInstance();
const srv = await serve(dir);
const b = await browser();
const shots = process.env.SHOTS;
async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
}
const sizes = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true },
  desktop: { viewport: { width: 1280, height: 800 } },
};
const runs = [['en', 'desktop'], ['ru', 'phone'], ['uk', 'phone'], ['fa', 'phone'], ['fa', 'desktop'],
  ['ar', 'phone'], ['ar', 'desktop'], ['zh-Hans', 'phone'], ['zh-Hans', 'desktop']];

try {
  for (const [lang, size] of runs) {
    const tag = `${lang} ${size}`;
    const t = catalogue(lang);
    const rtl = t['language.dir'] === 'rtl';
    const ctx = await b.newContext({ javaScriptEnabled: false, locale: 'en-US', ...sizes[size] });
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/`);
    await page.click(`a[hreflang="${lang}"]`);
    ok(new URL(page.url()).pathname === `/${lang}/`, `${tag}: the language link leads to /${lang}/`);
    ok(await page.getAttribute('html', 'lang') === lang && await page.getAttribute('html', 'dir') === (rtl ? 'rtl' : 'ltr'),
      `${tag}: <html lang="${lang}" dir="${rtl ? 'rtl' : 'ltr'}">`);
    ok((await page.textContent('h1')).trim() === t['landing.title'].replace('{org}', 'Browser Test Desk'),
      `${tag}: the landing page's heading is the catalogue's`);
    ok(await page.getAttribute(`a[hreflang="${lang}"]`, 'aria-current') === 'true', `${tag}: the current language is marked`);
    if (size === 'desktop' || rtl) {
      const org = await page.locator('a.org').boundingBox();
      const vw = sizes[size].viewport.width;
      ok(rtl ? org.x > vw / 2 : org.x < vw / 2, `${tag}: the layout is ${rtl ? 'mirrored (the name at the right)' : 'left to right'}`);
    }
    await shot(page, `langs-landing-${lang}-${size}`);
    await page.click(`a[href="/${lang}/new"]`);
    ok((await page.textContent('h1')).trim() === t['new.title'], `${tag}: "I'm new"`);
    await page.click('#get-codename');
    const codename = (await page.textContent('#codename')).trim();
    ok((await page.textContent('h1')).trim() === t['codename.title'] && codename.split(/\s+/).length === 7 &&
      await page.getAttribute('#codename', 'dir') === 'ltr', `${tag}: the codename, its Latin words left to right`);
    await shot(page, `langs-codename-${lang}-${size}`);
    await page.click(`a.button[href="/${lang}/submit"]`);
    ok((await page.textContent('h1')).trim() === t['submit.title'], `${tag}: the submit page`);
    await page.fill('#message', `a message in ${lang}`);
    await page.click('#send');
    ok(new URL(page.url()).pathname === `/${lang}/submitted` && (await page.textContent('h1')).trim() === t['submitted.title'],
      `${tag}: received`);
    await page.click('#logout');
    ok((await page.textContent('h1')).trim() === t['loggedout.title'], `${tag}: logged out`);
    await page.goto(`${srv.url}/${lang}/login`);
    await page.fill('#codename', codename);
    await page.click('#login');
    ok(new URL(page.url()).pathname === `/${lang}/submit` && (await page.$$('#sent li')).length === 1,
      `${tag}: back in, what was sent is listed`);
    await shot(page, `langs-submit-${lang}-${size}`);
    const r404 = await page.goto(`${srv.url}/${lang}/nothing-here`);
    ok(r404.status() === 404 && (await page.textContent('main')).includes(t['error.404']), `${tag}: the 404 page`);
    await ctx.close();
  }
} catch (e) {
  ok(false, 'browser flow: ' + e.message);
} finally {
  await b.close();
  srv.stop();
  cleanup(base);
  done();
}
