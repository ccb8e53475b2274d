// SPDX-License-Identifier: AGPL-3.0-or-later
// The registry in a real browser (JavaScript on, strict CSP): the demo admin
// adds two analysts (SECRET and OFFICIAL), makes a distribution list of both,
// writes a report with portion-marked paragraphs, sees the computed overall
// marking, circulates it to the list; the cleared reader on the list reads
// it; the reader without clearance sees nothing of it (no title, no count, the
// same 404 page for its URL as for a missing report).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, done, makeInstance, browser, cleanup, codes, demo } from './lib.mjs';

const { base, dir } = makeInstance();
const conf = join(dir, 'cutout.conf');
const text = readFileSync(conf, 'utf8');
if (!/officer_argon2_opslimit/.test(text.replace(/^#.*$/mg, ''))) {
  writeFileSync(conf, text + 'officer_argon2_opslimit = 1\nofficer_argon2_memlimit = 8M\n');
}
const srv = await demo(dir);
const b = await browser();
try {
  const errors = [];
  const watch = (page) => page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
  });

  // The demo admin logs in and adds two analysts: one cleared SECRET, one OFFICIAL.
  const adminCode = codes(srv.secret, Math.floor(Date.now() / 30000) - 1);
  const actx = await b.newContext();
  const ap = await actx.newPage();
  watch(ap);
  await ap.goto(srv.desk + '/login');
  await ap.fill('#name', 'demo-admin');
  await ap.fill('#password', srv.password);
  await ap.fill('#totp', await adminCode());
  await ap.click('#login');
  ok(ap.url().endsWith('/inbox'), 'the demo admin logs in');
  for (const [name, clearance] of [['reader', 'SECRET'], ['lowly', 'OFFICIAL']]) {
    await ap.click('#nav-admin');
    await ap.fill('#new-name', name);
    await ap.fill('#new-password', name + '-browser-passphrase');
    await ap.uncheck('#new-intake');
    await ap.check('#new-analyst');
    await ap.fill('#new-clearance', clearance);
    await ap.fill('#new-nationality', 'GBR');
    await ap.click('#add');
    ok((await ap.$$(`tr.officer[data-name="${name}"]`)).length === 1,
      `the admin adds ${name} (${clearance})`);
  }

  // A distribution list with both of them.
  await ap.click('#nav-dist');
  await ap.fill('#list-name', 'north');
  await ap.click('#create-list');
  for (const who of ['reader', 'lowly']) {
    await ap.fill('#member-list', 'north');
    await ap.fill('#member-officer', who);
    await ap.click('#add-member');
  }
  const members = (await ap.textContent('tr.list[data-name="north"] .members')).split(',').sort();
  ok(members.join(',') === 'lowly,reader', 'the list "north" holds reader and lowly');

  // The admin writes a report with portion-marked paragraphs.
  const title = 'Harbour movements <b>week 12</b>';
  await ap.click('#nav-reports');
  await ap.click('#write');
  await ap.fill('#tm', 'S');
  await ap.fill('#title', title);
  await ap.fill('#pm0', 'O');
  await ap.fill('#pt0', 'Open-source background on the harbour.');
  await ap.fill('#pm1', 'S');
  await ap.fill('#pt1', 'Three vessels left at night.');
  await ap.click('#preview');
  ok((await ap.textContent('#overall')) === 'SECRET', 'the computed overall marking is shown: SECRET');
  await ap.click('#write-report');
  const m = ap.url().match(/\/report\?id=(\d+)$/);
  ok(m !== null, 'the report is written');
  const id = m ? m[1] : '0';
  ok((await ap.textContent('#report-title')).includes(title), 'the title is shown as text');
  ok((await ap.$$('#report-title b')).length === 0, 'no markup from the title');
  const portions = await ap.$$eval('#paragraphs .portion', (els) => els.map((e) => e.textContent));
  ok(portions.join(' ') === '(O) (S)', 'each paragraph shows its portion marking');
  await ap.check('input[name="list"][value="north"]');
  await ap.click('#circulate');
  ok((await ap.textContent('#notice')).includes('Circulated') &&
    (await ap.textContent('#lists')) === 'north', 'the report is circulated to the list');

  // An officer's first login: enrolment, then a login with the next code.
  async function newcomer(name) {
    const ctx = await b.newContext();
    const p = await ctx.newPage();
    watch(p);
    await p.goto(srv.desk + '/login');
    await p.fill('#name', name);
    await p.fill('#password', name + '-browser-passphrase');
    await p.click('#login');
    const secret = (await p.textContent('#secret')).trim();
    const code = codes(secret, Math.floor(Date.now() / 30000) - 2);
    await p.fill('#code', await code());
    await p.click('#enrol');
    await p.fill('#name', name);
    await p.fill('#password', name + '-browser-passphrase');
    await p.fill('#totp', await code());
    await p.click('#login');
    return p;
  }

  // The cleared reader on the list sees and reads it.
  const rp = await newcomer('reader');
  ok(rp.url().endsWith('/reports'), 'an analyst starts at the reports');
  ok((await rp.$$(`tr.report[data-id="${id}"]`)).length === 1 &&
    (await rp.textContent(`tr.report[data-id="${id}"] .title`)) === title,
    'the cleared reader sees the report and its title');
  await rp.click(`tr.report[data-id="${id}"] a.title`);
  ok((await rp.textContent('#paragraphs')).includes('Three vessels left at night.'),
    'and reads its SECRET paragraph');
  ok((await rp.textContent('#overall')) === 'SECRET', 'under the overall marking');

  // The reader sets the report's topics of exchange, ticked from the vocabulary.
  ok((await rp.textContent('#topics')).startsWith('none'), 'a new report has no topic');
  await rp.click('#topics-form >> xpath=ancestor::details/summary');
  await rp.check('input[name="topic"][value="terrorism"]');
  await rp.check('input[name="topic"][value="organised-crime"]');
  await rp.click('#set-topics');
  ok((await rp.textContent('#notice')).includes('Topics set') &&
    (await rp.textContent('#topics')) === 'organised-crime, terrorism' &&
    (await rp.isChecked('input[name="topic"][value="terrorism"]')),
    'the topics are set, shown and ticked');
  if (process.env.SHOT) await rp.screenshot({ path: process.env.SHOT, fullPage: true });

  // The reader without clearance, on the same list, sees nothing of it.
  const lp = await newcomer('lowly');
  ok(lp.url().endsWith('/reports'), 'lowly logs in');
  const body = await lp.textContent('body');
  ok(!body.includes('Harbour') && (await lp.$$('tr.report')).length === 0,
    'no title, no row for the uncleared reader');
  ok((await lp.textContent('#count')).trim() === 'Reports you may read: 0', 'the count is of what they may read: 0');
  const r1 = await lp.goto(srv.desk + '/report?id=' + id);
  const forbidden = await lp.textContent('main');
  const r2 = await lp.goto(srv.desk + '/report?id=999999');
  const missing = await lp.textContent('main');
  ok(r1.status() === 404 && r2.status() === 404 && forbidden === missing,
    'its URL answers the same 404 page as a missing report');

  ok(errors.length === 0, 'no console errors (no CSP violation): ' + errors.join('; '));
  await ap.screenshot({ path: join(base, 'registry.png') });
} catch (e) {
  ok(false, 'registry browser flow: ' + e.message);
} finally {
  await b.close();
  srv.stop();
  cleanup(base);
  done();
}
