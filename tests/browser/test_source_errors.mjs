// SPDX-License-Identifier: AGPL-3.0-or-later
// Issue 17 §1: a slow writer loses nothing, and errors say what happened. The
// limits are on the form in the page's language and number format; a refused
// submission (too many files, a file too large, nothing to send) answers the
// form again saying why, with the text kept in it; a session that ended while
// the source wrote answers the login page with the text in its form, and the
// login brings it back to the submit form. The text is kept only in the pages.
// JavaScript off, phone (Russian) and desktop (English). Screenshots: $SHOTS.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, done, makeInstance, serve, browser, cleanup } from './lib.mjs';

const { base, dir } = makeInstance();
const conf = join(dir, 'cutout.conf');
writeFileSync(conf, readFileSync(conf, 'utf8').split('\n')
  .filter((l) => !/^\s*(max_files_per_submission|max_upload_bytes|intake_idle_seconds)\s*=/.test(l))
  .concat(['max_files_per_submission = 3', 'max_upload_bytes = 1M', 'intake_idle_seconds = 30', ''])
  .join('\n'));
const srv = await serve(dir);
const b = await browser();
const shots = process.env.SHOTS;
async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
}
const nb = '\u00a0';
const runs = [
  {
    size: 'phone', lang: 'ru', opts: { viewport: { width: 390, height: 844 }, isMobile: true },
    limits: `До 3 файлов общим объёмом до 1${nb}МБ; сообщение — до 100${nb}000 символов.`,
    tooMany: 'Слишком много файлов (4; можно не больше 3).',
    tooLarge: `Файл «big.bin» больше 1${nb}МБ.`,
    empty: 'Напишите сообщение или выберите файл.',
    expired: 'Сеанс завершился',
    relogged: 'Вы снова вошли.',
    text: 'Длинное письмо, которое пишется медленно.\n\nВторой абзац: <b>не разметка</b> & «кавычки».',
  },
  {
    size: 'desktop', lang: 'en', opts: { viewport: { width: 1280, height: 800 } },
    limits: `Up to 3 files, 1${nb}MiB in all; messages up to 100,000 characters.`,
    tooMany: 'Too many files (4; at most 3).',
    tooLarge: `That file ("big.bin") is larger than 1${nb}MiB.`,
    empty: 'Write a message or choose a file.',
    expired: 'Your session ended',
    relogged: 'You are logged in again.',
    text: '\nA slow letter that starts with an empty line.\n\nSecond paragraph: <b>not markup</b> & "quotes".',
  },
];
const small = [1, 2, 3, 4].map((i) => {
  const f = join(base, `doc${i}.txt`);
  writeFileSync(f, `document ${i}\n`);
  return f;
});
const big = join(base, 'big.bin');
writeFileSync(big, Buffer.alloc(1536 * 1024, 7));

try {
  for (const r of runs) {
    const tag = `${r.size} ${r.lang}`;
    r.ctx = await b.newContext({ javaScriptEnabled: false, locale: 'en-US', ...r.opts });
    const page = r.page = await r.ctx.newPage();
    await page.goto(`${srv.url}/${r.lang}/new`);
    await page.click('#get-codename');
    r.codename = (await page.textContent('#codename')).trim();
    await page.goto(`${srv.url}/${r.lang}/submit`);
    ok((await page.textContent('#limits')).trim() === r.limits,
      `${tag}: the limits on the form, in the page's number format: ${(await page.textContent('#limits')).trim()}`);
    ok(/\d/.test(await page.textContent('#idle')), `${tag}: the form says when an idle session ends`);

    await page.fill('#message', r.text);
    await page.setInputFiles('#file', small);
    await page.click('#send');
    const notice = async () => (await page.textContent('#notice')).trim();
    ok((await notice()).startsWith(r.tooMany), `${tag}: "${r.tooMany}"`);
    ok(await page.inputValue('#message') === r.text, `${tag}: the text is kept in the form`);
    ok((await page.textContent('#limits')).trim() === r.limits, `${tag}: the limits are on the error page`);
    await shot(page, `errors-too-many-${r.size}-${r.lang}`);

    await page.setInputFiles('#file', [small[0], big]);
    await page.click('#send');
    ok((await notice()).startsWith(r.tooLarge), `${tag}: "${r.tooLarge}"`);
    ok(await page.inputValue('#message') === r.text, `${tag}: the text is still kept`);
    await shot(page, `errors-too-large-${r.size}-${r.lang}`);

    await page.fill('#message', '');
    await page.click('#send');
    ok((await notice()).startsWith(r.empty), `${tag}: "${r.empty}"`);
    await page.fill('#message', r.text);
  }

  // A slow writer: the session ends (30 s here) while the text is in the form.
  await new Promise((res) => setTimeout(res, 33000));
  for (const r of runs) {
    const tag = `${r.size} ${r.lang}`;
    const page = r.page;
    await page.setInputFiles('#file', small[0]);
    await page.click('#send');
    ok(new URL(page.url()).pathname === `/${r.lang}/submit` && (await page.$('#codename')) !== null,
      `${tag}: an ended session answers the login form`);
    ok((await page.textContent('#notice')).includes(r.expired), `${tag}: saying the session ended`);
    ok(await page.inputValue('#message') === r.text, `${tag}: with the text in it`);
    await shot(page, `errors-expired-${r.size}-${r.lang}`);
    await page.fill('#codename', r.codename);
    await page.click('#login');
    ok((await page.textContent('#notice')).startsWith(r.relogged) && await page.inputValue('#message') === r.text,
      `${tag}: logging in again brings the text back to the submit form`);
    await shot(page, `errors-relogged-${r.size}-${r.lang}`);
    await page.setInputFiles('#file', small[0]);
    await page.click('#send');
    ok(new URL(page.url()).pathname === `/${r.lang}/submitted`, `${tag}: and it is sent`);
    await r.ctx.close();
  }
} catch (e) {
  ok(false, 'browser flow: ' + e.message);
} finally {
  await b.close();
  srv.stop();
  cleanup(base);
  done();
}
