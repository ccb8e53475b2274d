// SPDX-License-Identifier: AGPL-3.0-or-later
// Issue 17 §1: the language stays. It lives in the URL (/ru/...), so it survives
// logout and bookmarks with no cookie; every link and form keeps the prefix; 404
// and 405 pages speak the URL's language; the bare path follows the session's
// choice (else English: Tor Browser asks for English); the language links keep
// the page, and on /codename they keep the codename (shown once more, not on a
// reload). JavaScript off, at phone and desktop size. Screenshots go to $SHOTS.
import { join } from 'node:path';
import { ok, done, makeInstance, serve, browser, cleanup } from './lib.mjs';

const { base, dir } = makeInstance();
const srv = await serve(dir);
const b = await browser();
const shots = process.env.SHOTS;
const sizes = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true },
  desktop: { viewport: { width: 1280, height: 800 } },
};
const cyrillic = /[а-яА-ЯёЁ]{4}/;
async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
}
// Every link and form action of the page, but the language links, the stylesheet and the
// links within the page (the skip link to #main).
async function targets(page) {
  return page.$$eval('a[href]:not([hreflang]):not([href^="#"]), form[action]', (els) =>
    els.map((e) => e.getAttribute(e.tagName === 'FORM' ? 'action' : 'href')));
}
async function allKeep(page, prefix, tag, what) {
  const t = await targets(page);
  const bad = t.filter((u) => !(u === prefix || u.startsWith(prefix + '/')));
  ok(t.length > 0 && bad.length === 0, `${tag}: every link and form of ${what} keeps ${prefix}` +
    (bad.length ? ` (not: ${bad.join(' ')})` : ''));
}

try {
  for (const size of ['phone', 'desktop']) {
    const tag = size;
    const ctx = await b.newContext({ javaScriptEnabled: false, locale: 'en-US', ...sizes[size] });
    const page = await ctx.newPage();
    await page.goto(srv.url + '/');
    await page.click('a[hreflang="ru"]');
    ok(new URL(page.url()).pathname === '/ru/', `${tag}: the language link leads to /ru/`);
    ok(cyrillic.test(await page.textContent('h1')), `${tag}: /ru/ is Russian`);
    ok((await ctx.cookies()).every((c) => c.name !== 'l'), `${tag}: no language cookie`);
    await allKeep(page, '/ru', tag, 'the landing page');
    await page.click('a[href="/ru/new"]');
    await allKeep(page, '/ru', tag, '"I\'m new"');
    await page.click('#get-codename');
    ok(new URL(page.url()).pathname === '/ru/codename', `${tag}: the create redirects to /ru/codename`);
    const codename = (await page.textContent('#codename')).trim();
    ok(codename.split(/\s+/).length === 7 && cyrillic.test(await page.textContent('h1')),
      `${tag}: the codename, on a Russian page`);
    await shot(page, `lang-codename-ru-${size}`);

    // The known gap: switching the language on /codename must not lose the codename.
    await page.click('a[hreflang="en"]');
    ok(new URL(page.url()).pathname === '/en/codename', `${tag}: the English link keeps the page`);
    ok((await page.$('#codename')) !== null && (await page.textContent('#codename')).trim() === codename,
      `${tag}: and shows the same codename, in English`);
    ok(!cyrillic.test(await page.textContent('main')), `${tag}: the page is English`);
    await shot(page, `lang-codename-en-${size}`);
    await page.reload();
    ok((await page.$('#codename')) === null && (await page.$('#already')) !== null,
      `${tag}: a reload still does not show it again`);
    await page.click('a[hreflang="ru"]');
    ok((await page.$('#codename')) === null && (await page.$('#already')) !== null,
      `${tag}: nor does an old language link`);

    await page.click('a.button[href="/ru/submit"]');
    ok(new URL(page.url()).pathname === '/ru/submit', `${tag}: on to /ru/submit`);
    await allKeep(page, '/ru', tag, 'the submit page');
    const action = await page.getAttribute('form[enctype="multipart/form-data"]', 'action');
    ok(action.startsWith('/ru/submit?'), `${tag}: the submission form posts to /ru/submit`);
    await page.fill('textarea[name="message"]', 'привет');
    await page.click('#send');
    ok(new URL(page.url()).pathname === '/ru/submitted' && cyrillic.test(await page.textContent('h1')),
      `${tag}: "received" under /ru/, in Russian`);
    await allKeep(page, '/ru', tag, '"received"');

    // The bare path follows the session's choice.
    await page.goto(srv.url + '/replies');
    ok(cyrillic.test(await page.textContent('h1')), `${tag}: a bare path follows the session's language`);
    await page.goto(srv.url + '/ru/replies');
    await page.click('a[hreflang="en"]');
    ok(new URL(page.url()).pathname === '/en/replies' && !cyrillic.test(await page.textContent('h1')),
      `${tag}: the English link keeps the replies page`);
    await page.goto(srv.url + '/ru/replies');

    // A 404 and a 405 in the URL's language.
    const r404 = await page.goto(srv.url + '/ru/no-such-page');
    ok(r404.status() === 404 && cyrillic.test(await page.textContent('main')), `${tag}: a 404 under /ru/ is Russian`);
    await allKeep(page, '/ru', tag, 'the 404 page');
    await shot(page, `lang-404-ru-${size}`);
    const r405 = await ctx.request.fetch(srv.url + '/ru/login', { method: 'PUT', maxRedirects: 0 });
    ok(r405.status() === 405 && cyrillic.test(await r405.text()), `${tag}: a 405 under /ru/ is Russian`);

    // Logout: the language stays, with no cookie and no session.
    await page.goto(srv.url + '/ru/submit');
    await page.click('#logout');
    ok(cyrillic.test(await page.textContent('h1')), `${tag}: the logged-out page is Russian`);
    await allKeep(page, '/ru', tag, 'the logged-out page');
    await page.goto(srv.url + '/ru/login');
    ok(cyrillic.test(await page.textContent('h1')), `${tag}: after logout /ru/login is still Russian`);
    await page.fill('#codename', 'not a codename at all');
    await page.click('#login');
    ok(cyrillic.test(await page.textContent('main')) && new URL(page.url()).pathname === '/ru/login',
      `${tag}: a failed login answers in Russian`);
    await page.goto(srv.url + '/login');
    ok(!cyrillic.test(await page.textContent('h1')), `${tag}: the bare path without a session is English`);

    // A bookmark in a fresh browser (no cookie at all) keeps the language.
    const fresh = await b.newContext({ javaScriptEnabled: false, locale: 'en-US', ...sizes[size] });
    const fp = await fresh.newPage();
    await fp.goto(srv.url + '/ru/login');
    ok(cyrillic.test(await fp.textContent('h1')), `${tag}: a bookmarked /ru/login opens in Russian, no cookie`);
    await shot(fp, `lang-login-ru-${size}`);
    await fp.fill('#codename', codename);
    await fp.click('#login');
    ok(new URL(fp.url()).pathname === '/ru/submit', `${tag}: logging in from it lands on /ru/submit`);
    await fresh.close();
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
