// SPDX-License-Identifier: AGPL-3.0-or-later
// A source in a real browser with JavaScript disabled (Tor Browser "Safest"):
// new source -> codename -> submit a message and a file -> leave -> log in
// with the codename -> read a reply made with the CLI -> delete it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, done, cutout, makeInstance, serve, browser, cleanup, bootstrapOfficer } from './lib.mjs';

const { base, dir } = makeInstance();
const srv = await serve(dir);
const b = await browser();
try {
  const ctx = await b.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  const consoleErrors = [];
  // CSP violations and other page errors (4xx answers are logged by Chromium too; not those).
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) consoleErrors.push(m.text());
  });

  let resp = await page.goto(srv.url + '/');
  ok(resp.status() === 200, 'landing page loads');
  ok((await page.textContent('body')).includes('Browser Test Desk'), 'landing names the organisation');
  await page.click('a[href="/new"]');
  await page.click('#get-codename');
  const codename = (await page.textContent('#codename')).trim();
  ok(codename.split(/\s+/).length === 7, 'a 7-word codename is shown');

  await page.goto(srv.url + '/submit');
  const message = 'A message typed in a real browser: <b>not bold</b> & "quoted"';
  await page.fill('textarea[name="message"]', message);
  const file = join(base, 'evidence "odd" name.txt');
  writeFileSync(file, 'the contents of the evidence file\n');
  await page.setInputFiles('input[type="file"][name="file"]', file);
  await page.click('#send');
  ok((await page.textContent('body')).includes('sealed'), 'the submission is acknowledged');

  await page.click('#logout');
  resp = await page.goto(srv.url + '/submit');
  ok(page.url().endsWith('/login'), 'after leaving, the submit page asks for the codename');

  const officer = bootstrapOfficer(dir);
  const list = cutout(['inbox', 'list', '-d', dir], '', officer.env());
  const m = list.out.match(/source (\d+)[\s\S]*?submission (\d+)/);
  ok(m !== null, 'the CLI lists the submission');
  const read = cutout(['inbox', 'read', '-d', dir, m[2]], '', officer.env());
  ok(read.out.includes(message), 'the CLI opens the exact message');
  ok(read.out.includes('evidence "odd" name.txt'), 'the CLI opens the file name');
  const dl = cutout(['inbox', 'download', '-d', dir, m[2], '1'], '', officer.env());
  ok(dl.out === 'the contents of the evidence file\n', 'the file decrypts to its contents');
  const rep = cutout(['inbox', 'reply', '-d', dir, m[1]], 'Received. <script>alert(1)</script>',
    officer.env());
  ok(rep.code === 0, 'the CLI seals a reply');

  await page.goto(srv.url + '/login');
  await page.fill('#codename', codename.toUpperCase());
  await page.click('#login');
  ok(page.url().endsWith('/submit'), 'the codename logs in (case does not matter)');
  await page.goto(srv.url + '/replies');
  const replies = await page.$$('.reply');
  ok(replies.length === 1, 'one reply is shown');
  ok((await page.textContent('.reply .text')).includes('Received. <script>alert(1)</script>'),
    'the reply is shown as text, escaped');
  ok((await page.$$('.reply script')).length === 0, 'no script element came from the reply');
  await page.click('.reply button[type="submit"]');
  ok((await page.$$('.reply')).length === 0, 'the reply is deleted');

  // wrong codename: one generic error, in the page
  await page.click('#logout');
  await page.goto(srv.url + '/login');
  await page.fill('#codename', 'wrong wrong wrong wrong wrong wrong wrong');
  await page.click('#login');
  ok(page.url().endsWith('/login'), 'a wrong codename stays on the login page');
  ok((await page.$$('.notice')).length === 1, 'with one generic notice');

  // Russian through the visible selector
  await page.goto(srv.url + '/');
  await page.click('a[hreflang="ru"]');
  ok(/[а-яА-Я]{4}/.test(await page.textContent('body')), 'the language selector switches to Russian');

  ok(consoleErrors.length === 0, 'no console errors (no CSP violation): ' + consoleErrors.join('; '));
  await page.screenshot({ path: join(base, 'last.png') });
} catch (e) {
  ok(false, 'browser flow: ' + e.message);
} finally {
  await b.close();
  srv.stop();
  cleanup(base);
  done();
}
