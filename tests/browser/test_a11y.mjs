// SPDX-License-Identifier: AGPL-3.0-or-later
// Accessibility (issue 17 §5): axe-core (npm) run in Debian's chromium on every page of the
// source's door, in English, Russian and Persian (right to left), at phone and desktop
// width, and on the desk's pages in English and Russian: zero violations of WCAG 2.1 A and AA. Every input has a label, the current
// language is marked, a skip link leads to the main content. (The pages need no
// JavaScript; axe is injected with the page's CSP bypassed, for the audit only.)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ok, done, makeInstance, serve, browser, cleanup, codes, demo, cutout } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function audit(page, what) {
  await page.addScriptTag({ content: AXE });
  const r = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const res = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return res.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${
      v.nodes[0].target.join(' ')}: ${v.help}`);
  }, TAGS);
  for (const v of r) console.log(`# ${what}: ${v}`);
  return r.length;
}

const { base, dir } = makeInstance();
const srv = await serve(dir);
const b = await browser();
try {
  for (const [w, h] of [[390, 844], [1280, 900]]) {
    for (const lang of ['en', 'ru', 'fa']) {
      const ctx = await b.newContext({ bypassCSP: true, viewport: { width: w, height: h } });
      const page = await ctx.newPage();
      const at = `${lang} ${w}px`;
      const p = (path) => srv.url + (lang === 'en' ? '' : '/' + lang) + path;
      const pages = [];
      await page.goto(p('/'));
      pages.push(['landing', await audit(page, `${at} landing`)]);
      ok((await page.getAttribute('html', 'lang')) === lang, `${at}: the page's language is marked`);
      ok((await page.$('a[href="#main"]')) !== null && (await page.$('#main')) !== null,
        `${at}: a skip link to the main content`);
      await page.goto(p('/new'));
      pages.push(['new', await audit(page, `${at} new`)]);
      await page.click('#get-codename');
      pages.push(['codename', await audit(page, `${at} codename`)]);
      await page.goto(p('/submit'));
      pages.push(['submit', await audit(page, `${at} submit`)]);
      const unlabelled = await page.$$eval('input:not([type=hidden]):not([type=submit]), textarea, select',
        (els) => els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length);
      ok(unlabelled === 0, `${at}: every input of the submit page has a label (${unlabelled} without)`);
      // input borders at 3:1 against the page (WCAG 1.4.11), and a visible focus (2.4.7)
      const low = await page.$$eval('input:not([type=hidden]):not([type=submit]), textarea', (els) => {
        const lum = (c) => {
          const v = c.match(/[\d.]+/g).slice(0, 3).map((x) => {
            const k = Number(x) / 255;
            return k <= 0.03928 ? k / 12.92 : ((k + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
        };
        const bg = lum(getComputedStyle(document.body).backgroundColor);
        return els.map((e) => {
          const l = lum(getComputedStyle(e).borderTopColor);
          return (Math.max(l, bg) + 0.05) / (Math.min(l, bg) + 0.05);
        }).filter((r) => r < 3).length;
      });
      ok(low === 0, `${at}: every input's border is at 3:1 or more against the page (${low} below)`);
      await page.focus('textarea');
      const outline = await page.$eval('textarea', (e) => { const c = getComputedStyle(e); return c.outlineStyle + ' ' + c.outlineWidth; });
      ok(outline.startsWith('solid'), `${at}: the focused input shows its focus (${outline})`);
      await page.click('#send'); // nothing to send: the error page keeps the form
      pages.push(['refused submission', await audit(page, `${at} refused`)]);
      await page.goto(p('/replies'));
      pages.push(['replies', await audit(page, `${at} replies`)]);
      await page.click('#logout');
      await page.goto(p('/login'));
      pages.push(['login', await audit(page, `${at} login`)]);
      await page.fill('#codename', 'not a codename at all');
      await page.click('#login');
      pages.push(['refused login', await audit(page, `${at} refused login`)]);
      await page.goto(p('/no-such-page'));
      pages.push(['404', await audit(page, `${at} 404`)]);
      for (const [name, n] of pages) ok(n === 0, `${at}: ${name}: no WCAG 2.1 AA violation (${n})`);
      await ctx.close();
    }
  }
} finally {
  srv.stop();
}

// The desk: every page an officer reaches from the navigation, in English and Russian.
const inst2 = makeInstance();
const dm = await demo(inst2.dir);
try {
  const sctx = await b.newContext({ javaScriptEnabled: false });
  const sp = await sctx.newPage();
  await sp.goto(dm.intake + '/new');
  await sp.click('#get-codename');
  await sp.goto(dm.intake + '/submit');
  await sp.fill('textarea[name="message"]', 'for the desk');
  await sp.click('#send');
  const code = codes(dm.secret, Math.floor(Date.now() / 30000) - 1);
  // a partner and a bundle sent to it, so that /partners has its tables (issue 14)
  const inst3 = makeInstance();
  const card = inst3.base + '/partner.card';
  const admin = async () => ({ CUTOUT_OFFICER: 'demo-admin', CUTOUT_PASSWORD: dm.password,
    CUTOUT_TOTP: await code() });
  ok(cutout(['partner', 'card', '-d', inst3.dir, '-o', card]).code === 0 &&
    cutout(['partner', 'add', 'serviceB', '-d', inst2.dir, '--card', card, '--topics',
      'terrorism', '--marking', 'SECRET'], '', await admin()).code === 0 &&
    cutout(['liaison', 'export', 'serviceB', '-d', inst2.dir, '-o', inst3.base + '/b1.bundle'],
      '', await admin()).code === 0, 'a partner added and a bundle exported for /partners');
  cleanup(inst3.base);
  for (const lang of ['en', 'ru']) {
    const ctx = await b.newContext({ bypassCSP: true, locale: lang,
      extraHTTPHeaders: { 'Accept-Language': lang } });
    const page = await ctx.newPage();
    await page.goto(dm.desk + '/login');
    const n = [['login', await audit(page, `desk ${lang} login`)]];
    await page.fill('#name', 'demo-admin');
    await page.fill('#password', dm.password);
    await page.fill('#totp', await code());
    await page.click('#login');
    n.push(['inbox', await audit(page, `desk ${lang} inbox`)]);
    ok((await page.$('a[href="#main"]')) !== null, `desk ${lang}: a skip link`);
    const src = await page.$('a[href^="/source"]');
    if (src) {
      await src.click();
      n.push(['source', await audit(page, `desk ${lang} source`)]);
      const sub = await page.$('a[href^="/submission"]');
      if (sub) { await sub.click(); n.push(['submission', await audit(page, `desk ${lang} submission`)]); }
    }
    for (const path of ['/reports', '/report/new', '/dist', '/releases', '/partners', '/admin', '/ledger',
      '/ledger?action=officer.login', '/no-such-page']) {
      await page.goto(dm.desk + path);
      n.push([path, await audit(page, `desk ${lang} ${path}`)]);
    }
    await page.goto(dm.desk + '/partners');
    ok((await page.$('tr.partner')) !== null && (await page.$('tr.bundle-sent')) !== null,
      `desk ${lang}: /partners was audited with its partner and bundle rows`);
    for (const [name, k] of n) ok(k === 0, `desk ${lang}: ${name}: no WCAG 2.1 AA violation (${k})`);
    await ctx.close();
  }
} finally {
  await b.close();
  dm.stop();
  cleanup(base);
  cleanup(inst2.base);
}
done();
