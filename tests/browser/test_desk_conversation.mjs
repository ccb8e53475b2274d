// SPDX-License-Identifier: AGPL-3.0-or-later
// The desk's source page as one conversation, and the desk's language selector
// (issue 17 §2 and §3), in a real browser with JavaScript off: a source sends,
// an officer replies; the source page lists the submission then the reply (its
// day, author, text, read by the source or not yet: issue 17 §2); the header's Русский link switches the
// desk to Russian for the session, the current language marked; axe-core finds
// no violation on the conversation page at phone and desktop width, in both
// languages. Screenshots go to $SHOTS when set.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ok, done, makeInstance, browser, cleanup, codes, demo } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function violations(page, what) {
  await page.addScriptTag({ content: AXE });
  const r = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const res = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return res.violations.map((v) => `${v.id}: ${v.nodes[0].target.join(' ')}: ${v.help}`);
  });
  for (const v of r) console.log(`# ${what}: ${v}`);
  return r.length;
}

const { base, dir } = makeInstance();
const srv = await demo(dir);
const b = await browser();
try {
  const sctx = await b.newContext({ javaScriptEnabled: false });
  const sp = await sctx.newPage();
  await sp.goto(srv.intake + '/new');
  await sp.click('#get-codename');
  await sp.goto(srv.intake + '/submit');
  await sp.fill('textarea[name="message"]', 'A first message.');
  await sp.click('#send');
  ok((await sp.textContent('body')).includes('sealed'), 'the source submits at the intake');

  // Axe injects a script: the officer's context bypasses the CSP, and keeps JavaScript
  // for the audit only; every step below is plain links and forms.
  const ctx = await b.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const p = await ctx.newPage();
  const code = codes(srv.secret, Math.floor(Date.now() / 30000) - 1);
  await p.goto(srv.desk + '/login');
  await p.fill('#name', 'demo-admin');
  await p.fill('#password', srv.password);
  await p.fill('#totp', await code());
  await p.click('#login');
  ok(p.url().endsWith('/inbox'), 'the officer logs in');
  await p.click('tr.source a');
  const source = p.url();
  await p.fill('#reply-text', 'Thank you; we read it.');
  await p.click('#send-reply');
  await p.goto(source);
  const kinds = await p.$$eval('#conversation tr', (rows) => rows.map((r) => r.className));
  ok(kinds.length === 2 && kinds[0].startsWith('submission') && kinds[1] === 'reply',
    `the conversation: the submission, then the reply (${kinds})`);
  const first = await p.textContent('#conversation tr.reply');
  ok(first.includes('Thank you; we read it.') && first.includes('by demo-admin') &&
    first.includes('not read yet'), `the reply: its text, its author, not read yet (${first})`);
  await sp.goto(srv.intake + '/replies');
  ok((await sp.textContent('body')).includes('Thank you; we read it.'), 'the source reads it');
  await p.fill('#reply-text', 'A second reply, not read yet.');
  await p.click('#send-reply');
  await p.goto(source);
  const states = await p.$$eval('#conversation tr.reply .reply-state', (s) => s.map((e) => e.textContent));
  ok(states.length === 2 && states[0] === 'read by the source' && states[1] === 'not read yet',
    `the desk sees which reply the source has read (${states})`);

  ok((await p.getAttribute('nav.langs a[aria-current]', 'lang')) === 'en',
    'English is marked as the current language');
  await p.click('nav.langs a[hreflang="ru"]');
  await p.goto(source);
  ok((await p.getAttribute('html', 'lang')) === 'ru', 'after choosing Русский the page is Russian');
  ok((await p.textContent('h2')).includes('Переписка'), 'the conversation heading is translated');
  ok((await p.getAttribute('nav.langs a[aria-current]', 'lang')) === 'ru',
    'Russian is marked as the current language');
  await p.goto(srv.desk + '/inbox');
  ok((await p.getAttribute('html', 'lang')) === 'ru', 'the choice stays on the next page');

  for (const lang of ['ru', 'en']) {
    if (lang === 'en') await p.click('nav.langs a[hreflang="en"]');
    for (const [w, h] of [[390, 844], [1280, 900]]) {
      await p.setViewportSize({ width: w, height: h });
      await p.goto(source);
      if (process.env.SHOTS) {
        await p.screenshot({ path: join(process.env.SHOTS, `conv-${lang}-${w}.png`), fullPage: true });
      }
      ok(await violations(p, `${lang} ${w}px`) === 0, `${lang} ${w}px: no axe violation`);
    }
  }
} finally {
  await b.close();
  await srv.stop();
  cleanup(base);
}
done();
