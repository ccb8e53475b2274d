// SPDX-License-Identifier: AGPL-3.0-or-later
// The desk in a real browser (JavaScript on, strict CSP): the demo admin logs
// in -> creates an officer -> that officer enrols TOTP (codes computed here
// with node:crypto) -> logs in -> reads a submission made through the intake
// -> replies -> the source sees the reply in the intake.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, done, CUTOUT, makeInstance, browser, cleanup } from './lib.mjs';

function base32(s) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, v = 0; const out = [];
  for (const ch of s.toUpperCase().replace(/[\s=]/g, '')) {
    v = (v << 5) | abc.indexOf(ch); bits += 5;
    if (bits >= 8) { out.push((v >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

function totp(secret, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// An officer's codes: never the same step twice (the desk refuses replays).
function codes(secret, last) {
  return async () => {
    for (;;) {
      const now = Math.floor(Date.now() / 30000);
      for (const step of [now, now + 1]) if (step > last) { last = step; return totp(secret, step); }
      await new Promise((r) => setTimeout(r, 30000 - (Date.now() % 30000) + 200));
    }
  };
}

async function demo(dir) {
  const proc = spawn(CUTOUT, ['demo', dir, '--port', '0', '--desk-port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('demo did not start')), 60000);
    let acc = '';
    proc.stdout.on('data', (d) => {
      acc += d.toString();
      const i = acc.match(/intake: (http:\/\/127\.0\.0\.1:\d+)\//);
      const k = acc.match(/desk: (http:\/\/127\.0\.0\.1:\d+)\//);
      if (i && k) {
        clearTimeout(t);
        resolve({
          proc, intake: i[1], desk: k[1],
          password: acc.match(/password:\s+(\S[^\n]*?)\s*\n/)[1],
          secret: acc.match(/TOTP secret:\s+(\S+)/)[1],
          stop: () => proc.kill('SIGTERM'),
        });
      }
    });
    proc.on('exit', () => reject(new Error('demo exited')));
  });
}

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
