// SPDX-License-Identifier: AGPL-3.0-or-later
// Controlled release in a real browser (JavaScript on, strict CSP): officer
// anna (releasing) adds two outside recipients and proposes a report from its
// page; her page says why she cannot approve it herself; officer boris
// (releasing) approves it; a copy is downloaded; its excerpt, retyped in lower
// case, pasted into the trace page names the recipient; a file chosen on the
// trace page fills the paste box. Each new page is screenshotted at desktop
// size (into $CUTOUT_SHOTS when set).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, done, makeInstance, browser, cleanup, codes, demo } from './lib.mjs';

const ROOT = process.env.CUTOUT_ROOT || '.';
const { base, dir } = makeInstance();
const shots = process.env.CUTOUT_SHOTS || base;
mkdirSync(shots, { recursive: true });
const srv = await demo(dir);
const b = await browser();
const desktop = { viewport: { width: 1280, height: 900 }, acceptDownloads: true };
try {
  const errors = [];
  const watch = (page) => page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  const shot = async (page, name) => page.screenshot({ path: join(shots, name + '.png'), fullPage: true });

  // The demo admin adds two releasing officers.
  const adminCode = codes(srv.secret, Math.floor(Date.now() / 30000) - 1);
  const actx = await b.newContext(desktop);
  const ap = await actx.newPage();
  watch(ap);
  await ap.goto(srv.desk + '/login');
  await ap.fill('#name', 'demo-admin');
  await ap.fill('#password', srv.password);
  await ap.fill('#totp', await adminCode());
  await ap.click('#login');
  ok(ap.url().endsWith('/inbox'), 'the demo admin logs in');
  for (const name of ['anna', 'boris']) {
    await ap.click('#nav-admin');
    await ap.fill('#new-name', name);
    await ap.fill('#new-password', name + '-browser-passphrase');
    await ap.uncheck('#new-intake');
    await ap.check('#new-analyst');
    await ap.check('#new-releasing');
    await ap.fill('#new-clearance', 'TOP SECRET');
    await ap.fill('#new-nationality', 'GBR');
    await ap.click('#add');
    ok((await ap.$$(`tr.officer[data-name="${name}"]`)).length === 1, `the admin adds ${name} (releasing)`);
  }

  // The telegram as a report (its form posted from the page, with the page's CSRF token),
  // circulated to both from the report's page.
  await ap.goto(srv.desk + '/report/new');
  const csrf = await ap.$eval('input[name="csrf"]', (e) => e.value);
  const portion = 'S//REL TO GBR, USA';
  const blocks = readFileSync(join(ROOT, 'bench', 'data', 'telegram.txt'), 'utf8')
    .split('\n\n').map((s) => s.trim()).filter((s) => s);
  const form = new URLSearchParams([['tm', portion], ['title', 'Meridia telegram']]);
  for (const blk of blocks) { form.append('pm', portion); form.append('pt', blk); }
  for (const [k, v] of [['cite', ''], ['action', 'write'], ['declared', 'SECRET//REL TO GBR, USA'], ['csrf', csrf]]) form.append(k, v);
  const res = await ap.request.post(srv.desk + '/report/new', {
    data: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, maxRedirects: 0,
  });
  const m = (res.headers().location || '').match(/\/report\?id=(\d+)$/);
  ok(res.status() === 303 && m !== null, 'the telegram is written');
  const rid = m ? m[1] : '0';
  await ap.goto(srv.desk + '/report?id=' + rid);
  await ap.check('input[name="officer"][value="anna"]');
  await ap.check('input[name="officer"][value="boris"]');
  await ap.click('#circulate');
  ok((await ap.textContent('#notice')).includes('Circulated'), 'and circulated to anna and boris');

  async function newcomer(name) {
    const ctx = await b.newContext(desktop);
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

  // Officer A: recipients, then the proposal from the report's page.
  const pa = await newcomer('anna');
  ok((await pa.$$('#nav-releases')).length === 1, 'anna has the Releases entry');
  await pa.click('#nav-releases');
  await pa.click('#to-recipients');
  for (const [name, org] of [['alice', 'Institute of Studies'], ['bruno', 'Институт востоковедения']]) {
    await pa.fill('#rcp-name', name);
    await pa.fill('#rcp-org', org);
    await pa.fill('#rcp-nationality', 'GBR');
    await pa.fill('#rcp-marking', 'SECRET');
    await pa.click('#add-recipient');
    ok((await pa.textContent('#recipient-name')) === name, `anna adds ${name}`);
    if (name === 'bruno') await shot(pa, 'recipient');
    await pa.click('#back');
  }
  ok((await pa.$$('tr.recipient')).length === 2, 'both are listed');
  await shot(pa, 'recipients');
  await pa.goto(srv.desk + '/report?id=' + rid);
  await pa.click('#propose-release');
  await pa.check('input[name="to"][value="alice"]');
  await pa.check('input[name="to"][value="bruno"]');
  await pa.fill('#rel-purpose', 'Analysis of the Meridia talks by outside experts');
  await shot(pa, 'propose');
  await pa.click('#propose');
  const rm = pa.url().match(/\/release\?id=(\d+)&done=proposed$/);
  ok(rm !== null, 'anna proposes the report to alice and bruno');
  const rel = rm ? rm[1] : '0';
  ok((await pa.textContent('#two-person')).includes('cannot approve it') &&
    (await pa.$$('#approve')).length === 0, 'her page says plainly why she cannot approve it');
  ok((await pa.$$('tr.decision[data-allowed="1"]')).length === 2, 'the decision allows both, with the reason');
  await shot(pa, 'release-proposed');

  // Officer B approves; a copy is downloaded.
  const pb = await newcomer('boris');
  await pb.click('#nav-releases');
  ok((await pb.$$(`tr.release[data-id="${rel}"][data-state="proposed"]`)).length === 1,
    'boris sees the proposal in the list');
  await shot(pb, 'releases');
  await pb.click(`tr.release[data-id="${rel}"] a[href="/release?id=${rel}"]`);
  await pb.click('#approve');
  ok((await pb.textContent('#notice')).includes('Approved') && (await pb.$$('tr.copy')).length === 2,
    'boris approves: two copies');
  await shot(pb, 'release-approved');
  const [dl] = await Promise.all([
    pb.waitForEvent('download'),
    pb.click('tr.copy[data-recipient="alice"] button[value="text"]'),
  ]);
  const saved = join(base, 'alice.txt');
  await dl.saveAs(saved);
  const copy = readFileSync(saved, 'utf8');
  ok(dl.suggestedFilename() === `release-${rel}-copy-1.txt` && copy.includes('Released to: alice'),
    "alice's copy is downloaded as text");

  // Its excerpt, pasted into the trace page, names alice.
  await pb.click('#nav-releases');
  await pb.click('#to-trace');
  const words = copy.split(/\s+/).filter((w) => w);
  const mid = Math.floor(words.length / 3);
  const excerpt = words.slice(mid, mid + 330).filter((w, i) => i % 37 !== 5).join(' ').toLowerCase();
  const file = join(base, 'leak.txt');
  writeFileSync(file, excerpt);
  await pb.setInputFiles('#trace-file', file);
  await pb.waitForFunction(() => document.getElementById('trace-text').value.length > 0);
  ok((await pb.inputValue('#trace-text')) === excerpt, 'a file chosen fills the paste box');
  await pb.fill('#trace-text', excerpt);
  await pb.click('#trace');
  const accused = await pb.$$eval('tr.suspect.accused', (els) => els.map((e) => e.dataset.name));
  ok(accused.length === 1 && accused[0] === 'alice', 'the pasted excerpt names alice, and only her');
  await shot(pb, 'trace');

  ok(errors.length === 0, 'no console errors (no CSP violation): ' + errors.join('; '));
} catch (e) {
  ok(false, 'release browser flow: ' + e.message);
} finally {
  await b.close();
  srv.stop();
  cleanup(base);
  done();
}
