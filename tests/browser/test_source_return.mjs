// SPDX-License-Identifier: AGPL-3.0-or-later
// Issue 17 §1: coming back shows what matters. After login the page says
// whether a reply is waiting and shows the replies with the send form on one
// page; below, what the source sent (the day and the number of files, never
// the content). JavaScript off, phone (Russian) and desktop (English).
// Screenshots go to $SHOTS when set.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, done, cutout, makeInstance, serve, browser, cleanup, bootstrapOfficer } from './lib.mjs';

const { base, dir } = makeInstance();
const srv = await serve(dir);
const b = await browser();
const shots = process.env.SHOTS;
async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
}
const officer = bootstrapOfficer(dir);
const files = [1, 2, 3].map((i) => {
  const f = join(base, `doc${i}.txt`);
  writeFileSync(f, `document ${i}\n`);
  return f;
});
const runs = [
  { size: 'phone', lang: 'ru', opts: { viewport: { width: 390, height: 844 }, isMobile: true },
    none: 'Ответов пока нет', waiting: 'Ответов от нас: 1.', twoFiles: 'сообщение; файлов: 2', oneFile: ': файлов: 1',
    nothingSent: 'Вы пока ничего не отправили' },
  { size: 'desktop', lang: 'en', opts: { viewport: { width: 1280, height: 800 } },
    none: 'There are no replies yet', waiting: 'Replies from us: 1.', twoFiles: 'a message; files: 2', oneFile: ': files: 1',
    nothingSent: 'You have not sent anything yet' },
];

try {
  for (const r of runs) {
    const tag = `${r.size} ${r.lang}`;
    const ctx = await b.newContext({ javaScriptEnabled: false, ...r.opts });
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/${r.lang}/new`);
    await page.click('#get-codename');
    const codename = (await page.textContent('#codename')).trim();
    await page.click(`a.button[href="/${r.lang}/submit"]`);
    ok((await page.textContent('#waiting')).includes(r.none), `${tag}: a new source is told there is no reply yet`);
    ok((await page.textContent('#sent')).includes(r.nothingSent), `${tag}: and that it has sent nothing`);

    const secret = `the secret content ${tag}`;
    await page.fill('#message', secret);
    await page.setInputFiles('#file', files.slice(0, 2));
    await page.click('#send');
    await page.goto(`${srv.url}/${r.lang}/submit`);
    await page.setInputFiles('#file', files[2]);
    await page.click('#send');
    ok(new URL(page.url()).pathname === `/${r.lang}/submitted`, `${tag}: two submissions sent`);
    await page.click('#logout');

    const list = cutout(['inbox', 'list', '-d', dir], '', officer.env()).out;
    const source = [...list.matchAll(/^source (\d+)/gm)].map((m) => Number(m[1])).sort((x, y) => y - x)[0];
    const reply = `A reply for ${tag} <b>escaped</b>`;
    ok(cutout(['inbox', 'reply', '-d', dir, String(source)], reply, officer.env()).code === 0,
      `${tag}: an officer replies`);

    await page.goto(`${srv.url}/${r.lang}/login`);
    await page.fill('#codename', codename);
    await page.click('#login');
    ok(new URL(page.url()).pathname === `/${r.lang}/submit`, `${tag}: the login lands on the submit page`);
    ok((await page.textContent('#waiting')).includes(r.waiting), `${tag}: it says a reply is waiting`);
    ok((await page.textContent('#replies .reply .text')) === reply && (await page.$('#send')) !== null,
      `${tag}: the reply and the send form are on one page`);
    const sent = (await page.$$eval('#sent li', (els) => els.map((e) => e.textContent)));
    ok(sent.length === 2 && sent[0].includes(r.twoFiles) && sent[1].includes(r.oneFile) &&
      /^\d{4}-\d{2}-\d{2}/.test(sent[0]),
    `${tag}: what it sent, by day and number of files: ${sent.join(' | ')}`);
    ok(!(await page.textContent('body')).includes(secret), `${tag}: never its content`);
    await shot(page, `return-${r.size}-${r.lang}`);

    await page.click('#replies .reply button[type="submit"]');
    ok(new URL(page.url()).pathname === `/${r.lang}/submit` && (await page.$$('#replies .reply')).length === 0 &&
      (await page.textContent('#waiting')).includes(r.none),
    `${tag}: deleting the reply there comes back to the same page, without it`);
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
