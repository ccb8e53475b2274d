// SPDX-License-Identifier: AGPL-3.0-or-later
// The desk in a real browser (JavaScript on, strict CSP): the demo admin logs
// in -> creates an officer -> that officer enrols TOTP (codes computed here
// with node:crypto) -> logs in -> reads a submission made through the intake
// -> replies -> the source sees the reply in the intake.
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

  // A source sends a message through the intake (no JavaScript, as in Tor Browser "Safest").
  const sctx = await b.newContext({ javaScriptEnabled: false });
  const sp = await sctx.newPage();
  watch(sp);
  await sp.goto(srv.intake + '/new');
  await sp.click('#get-codename');
  const codename = (await sp.textContent('#codename')).trim();
  await sp.goto(srv.intake + '/submit');
  const message = 'Browser leak: <b>bold?</b> & "quotes"';
  await sp.fill('textarea[name="message"]', message);
  await sp.click('#send');
  ok((await sp.textContent('body')).includes('sealed'), 'the source submits at the intake');
  await sp.click('#logout');

  // The demo admin logs in and adds an officer.
  const adminCode = codes(srv.secret, Math.floor(Date.now() / 30000) - 1);
  const actx = await b.newContext();
  const ap = await actx.newPage();
  watch(ap);
  await ap.goto(srv.desk + '/');
  ok(ap.url().endsWith('/login'), 'the desk asks for a login');
  await ap.fill('#name', 'demo-admin');
  await ap.fill('#password', srv.password);
  await ap.fill('#totp', await adminCode());
  await ap.click('#login');
  ok(ap.url().endsWith('/inbox'), 'the demo admin logs in with password + TOTP');
  await ap.click('#nav-admin');
  await ap.fill('#new-name', 'carol');
  await ap.fill('#new-password', 'carol-browser-passphrase');
  await ap.fill('#new-nationality', 'GBR');
  ok(await ap.isChecked('#new-intake'), 'the intake role is ticked by default');
  await ap.click('#add');
  ok((await ap.$$('tr.officer[data-name="carol"]')).length === 1, 'the admin creates carol');
  await ap.click('#logout');
  ok((await ap.textContent('body')).includes('Logged out'), 'the admin logs out');

  // carol enrols her authenticator, then logs in.
  const cctx = await b.newContext();
  const cp = await cctx.newPage();
  watch(cp);
  await cp.goto(srv.desk + '/login');
  await cp.fill('#name', 'carol');
  await cp.fill('#password', 'carol-browser-passphrase');
  await cp.click('#login');
  ok(cp.url().endsWith('/enrol'), 'carol\'s first login opens the enrolment');
  ok((await cp.$$('#qr svg')).length === 1, 'a QR code is shown (inline SVG)');
  const secret = (await cp.textContent('#secret')).trim();
  ok(/^[A-Z2-7]{16,}$/.test(secret), 'the secret is shown as text');
  const carolCode = codes(secret, Math.floor(Date.now() / 30000) - 2);
  await cp.fill('#code', await carolCode());
  await cp.click('#enrol');
  ok((await cp.textContent('body')).includes('set up'), 'the code confirms the enrolment');
  await cp.fill('#name', 'carol');
  await cp.fill('#password', 'carol-browser-passphrase');
  await cp.fill('#totp', await carolCode());
  await cp.click('#login');
  ok(cp.url().endsWith('/inbox'), 'carol logs in');

  // carol reads the submission and replies.
  ok((await cp.$$('tr.source.unread')).length === 1, 'the inbox shows one unread source');
  await cp.click('tr.source a');
  await cp.click('tr.submission a');
  ok((await cp.textContent('#message')) === message, 'carol reads the exact message');
  ok((await cp.$$('#message b')).length === 0, 'the message is text, not markup');
  await cp.click('#back');
  const reply = 'We got it. <i>Thank you.</i>';
  await cp.fill('#reply-text', reply);
  ok((await cp.textContent('#reply-count')) === String(reply.length),
    'the desk script runs under the CSP (character count)');
  await cp.click('#send-reply');
  ok((await cp.textContent('body')).includes('Reply sent'), 'the reply is sealed');

  // The source sees the reply at the intake.
  await sp.goto(srv.intake + '/login');
  await sp.fill('#codename', codename);
  await sp.click('#login');
  await sp.goto(srv.intake + '/replies');
  ok((await sp.textContent('.reply .text')).includes(reply), 'the source reads the reply');

  ok(errors.length === 0, 'no console errors (no CSP violation): ' + errors.join('; '));
  await cp.screenshot({ path: join(base, 'desk.png') });
} catch (e) {
  ok(false, 'desk browser flow: ' + e.message);
} finally {
  await b.close();
  srv.stop();
  cleanup(base);
  done();
}
