// SPDX-License-Identifier: AGPL-3.0-or-later
// Issue 17 §1: reload, Back and a second tab never change a source's identity
// or repeat a submission. JavaScript off (Tor Browser "Safest"), at phone and
// desktop size, in English and Russian. Screenshots go to $SHOTS when set.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, done, cutout, makeInstance, serve, browser, cleanup, bootstrapOfficer } from './lib.mjs';

const { base, dir } = makeInstance();
const srv = await serve(dir);
const b = await browser();
const shots = process.env.SHOTS;
const sizes = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true },
  desktop: { viewport: { width: 1280, height: 800 } },
};
async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
}
const officer = bootstrapOfficer(dir);
function submissionsOf(codenameSource) {
  const list = cutout(['inbox', 'list', '-d', dir], '', officer.env()).out;
  const blocks = list.split(/(?=^source )/m).filter((s) => s.startsWith('source ' + codenameSource + ' '));
  return blocks.length === 1 ? (blocks[0].match(/^\s+submission \d+/gm) || []).length : 0;
}
function sourcesListed() {
  return (cutout(['inbox', 'list', '-d', dir], '', officer.env()).out.match(/^source \d+/gm) || []).length;
}

// Reload; on a loaded machine Chromium sometimes swaps the page's target after
// a POST that redirected, and Playwright's reload then fails with "Not attached
// to an active page": the same GET of the same URL is what a reload sends for a
// page reached by POST/redirect/GET.
async function reload(page) {
  try {
    await page.reload();
  } catch (e) {
    if (!/Not attached to an active page/.test(String(e && e.message))) throw e;
    await page.goto(page.url());
  }
}

try {
  for (const [size, lang] of [['phone', 'en'], ['desktop', 'en'], ['phone', 'ru']]) {
    const tag = `${size} ${lang}`;
    const ctx = await b.newContext({ javaScriptEnabled: false, ...sizes[size] });
    const page = await ctx.newPage();
    await page.goto(srv.url + '/');
    if (lang === 'ru') await page.click('a[hreflang="ru"]');
    await page.click('a[href$="/new"]');
    await page.click('#get-codename');
    ok(page.url().endsWith('/codename'), `${tag}: the create answers with a redirect to the codename page`);
    const codename = (await page.textContent('#codename')).trim();
    ok(codename.split(/\s+/).length === 7, `${tag}: the codename is shown`);
    await shot(page, `codename-${size}-${lang}`);

    await reload(page);
    ok((await page.$('#codename')) === null && (await page.$('#already')) !== null,
      `${tag}: reloading the codename page makes no second source and says "already logged in"`);
    ok(!(await page.textContent('body')).includes(codename), `${tag}: and does not show the codename again`);
    await shot(page, `codename-already-${size}-${lang}`);

    const tab2 = await ctx.newPage();
    await tab2.goto(srv.url + '/new');
    ok((await tab2.$('#already')) !== null && (await tab2.$('#get-codename')) === null,
      `${tag}: a second tab asking for a new codename is told it is already logged in`);
    await tab2.close();

    await page.goBack(); // "I'm new" again (from the history, or asked anew)
    if ((await page.$('#get-codename')) !== null) await page.click('#get-codename');
    ok((await page.$('#already')) !== null && (await page.$('#codename')) === null,
      `${tag}: Back and "get a codename" again makes no second source`);

    await page.goto(srv.url + '/submit');
    const action = await page.getAttribute('form[enctype="multipart/form-data"]', 'action');
    ok(/[?&]once=[A-Za-z0-9_-]{22}$/.test(action), `${tag}: the submission form carries a one-time token`);
    await page.fill('textarea[name="message"]', `one message (${tag})`);
    const file = join(base, `evidence-${size}-${lang}.txt`);
    writeFileSync(file, 'evidence\n');
    await page.setInputFiles('input[type="file"][name="file"]', file);
    await page.click('#send');
    ok(page.url().endsWith('/submitted'), `${tag}: the submission answers with a redirect (POST/redirect/GET)`);
    await shot(page, `submitted-${size}-${lang}`);
    await page.waitForLoadState('load'); // a loaded machine: reload only a settled page
    await reload(page);
    ok(page.url().endsWith('/submitted') && (await page.textContent('h1')).length > 0,
      `${tag}: reloading "received" shows it again`);

    // The same form sent again (what a browser's resubmission does): recognised, not stored.
    const replay = await ctx.request.post(srv.url + action, {
      multipart: { message: `one message (${tag})`, file: { name: 'evidence.txt', mimeType: 'text/plain', buffer: Buffer.from('evidence\n') } },
      maxRedirects: 0,
    });
    ok(replay.status() === 409, `${tag}: replaying the same form is recognised (409)`);
    const r409 = await ctx.newPage();
    await r409.goto(srv.url + '/style.css');
    await r409.setContent((await replay.text()).replace('href="/style.css"', `href="${srv.url}/style.css"`));
    await shot(r409, `replay-${size}-${lang}`);
    await r409.close();

    const list = cutout(['inbox', 'list', '-d', dir], '', officer.env()).out;
    const ids = [...list.matchAll(/^source (\d+)/gm)].map((m) => m[1]);
    const newest = ids.map(Number).sort((x, y) => y - x)[0];
    ok(submissionsOf(newest) === 1, `${tag}: exactly one submission was stored (${submissionsOf(newest)})`);
    await ctx.close();
  }
  ok(sourcesListed() === 3, 'three sources have submissions, one each flow');
} catch (e) {
  ok(false, 'browser flow: ' + e.message);
} finally {
  await b.close();
  srv.stop();
  cleanup(base);
  done();
}
