// SPDX-License-Identifier: AGPL-3.0-or-later
// Shared helpers of the browser tests: TAP output, a throwaway instance served
// by the real binary, and Debian's chromium driven by playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CUTOUT = process.env.CUTOUT || 'build/src/app/cutout';
let n = 0, failed = 0;

export function ok(cond, desc) {
  n++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${desc}`);
  if (!cond) failed++;
  return cond;
}

export function done() {
  console.log(`1..${n}`);
  process.exitCode = failed ? 1 : 0;
}

export function cutout(args, input, env) {
  const p = spawnSync(CUTOUT, args, {
    input: input ?? '', encoding: 'utf8', env: { ...process.env, ...(env ?? {}) },
  });
  return { code: p.status, out: p.stdout, err: p.stderr };
}

// ---- officers (see tests/integration/lib/cutout_test.py: a TOTP code is used once, so
// each officer command runs under libfaketime one 30 s step later than the one before) ----
const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
let fakeOffset = 0;

export function totp(secretB32, t) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, acc = 0;
  const key = [];
  for (const c of secretB32.toUpperCase()) {
    acc = (acc << 5) | alpha.indexOf(c);
    bits += 5;
    if (bits >= 8) { key.push((acc >> (bits - 8)) & 255); bits -= 8; }
  }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const mac = createHmac('sha1', Buffer.from(key)).update(msg).digest();
  const off = mac[19] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

function fakeTime() {
  fakeOffset += 30;
  return [{ LD_PRELOAD: FAKETIME_LIB, FAKETIME: `+${fakeOffset}s`, DONT_FAKE_MONOTONIC: '1' },
    Date.now() / 1000 + fakeOffset];
}

// The first admin (admin + intake), enrolled; .env() gives the environment of one login.
export function bootstrapOfficer(dir, name = 'chief', password = 'the chief has a long password') {
  // cleared for the default marking of submissions (SECRET//SOURCE), so the inbox shows them
  let r = cutout(['officer', 'add', name, '-d', dir, '--role', 'admin,intake', '--clearance',
    'SECRET//SOURCE', '--nationality', 'GBR', '--admin-identity', join(dir, 'admin-identity.txt')], '',
  { CUTOUT_NEW_PASSWORD: password });
  if (r.code !== 0) throw new Error('officer add failed: ' + r.err);
  const who = { CUTOUT_OFFICER: name, CUTOUT_PASSWORD: password };
  r = cutout(['officer', 'enrol', '-d', dir], '', { ...fakeTime()[0], ...who });
  const secret = (r.out.match(/secret: ([A-Z2-7]+)/) ?? [])[1];
  if (!secret) throw new Error('officer enrol failed: ' + r.err);
  const [e, t] = fakeTime();
  r = cutout(['officer', 'enrol', '-d', dir, '--secret-from', '-'], secret,
    { ...e, ...who, CUTOUT_TOTP: totp(secret, t) });
  if (r.code !== 0) throw new Error('officer enrol failed: ' + r.err);
  return {
    name, password, secret,
    env() { const [e2, t2] = fakeTime(); return { ...e2, ...who, CUTOUT_TOTP: totp(secret, t2) }; },
  };
}

// An officer's codes: never the same step twice (the desk refuses replays).
export function codes(secret, last) {
  return async () => {
    for (;;) {
      const now = Math.floor(Date.now() / 30000);
      for (const step of [now, now + 1]) if (step > last) { last = step; return totp(secret, step * 30); }
      await new Promise((r) => setTimeout(r, 30000 - (Date.now() % 30000) + 200));
    }
  };
}

// `cutout demo DIR` on free loopback ports: its URLs and the demo admin's password and TOTP secret.
export async function demo(dir) {
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

export function makeInstance() {
  const base = mkdtempSync(join(tmpdir(), 'cutout-browser-'));
  const dir = join(base, 'inst');
  const r = cutout(['init', dir, '--organisation', 'Browser Test Desk']);
  if (r.code !== 0) throw new Error('init failed: ' + r.err);
  const conf = join(dir, 'cutout.conf');
  const lines = readFileSync(conf, 'utf8').split('\n')
    .filter((l) => !/^\s*(officer_)?argon2_(opslimit|memlimit)\s*=/.test(l));
  lines.push('argon2_opslimit = 1', 'argon2_memlimit = 8M',
    'officer_argon2_opslimit = 1', 'officer_argon2_memlimit = 8M');
  writeFileSync(conf, lines.join('\n') + '\n');
  return { base, dir };
}

export async function serve(dir) {
  const proc = spawn(CUTOUT, ['serve', dir, '--intake-listen', '127.0.0.1:0', '--desk-listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start')), 30000);
    let acc = '';
    proc.stdout.on('data', (d) => {
      acc += d.toString();
      const m = acc.match(/intake: (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(t); resolve(m[1]); }
    });
    proc.on('exit', () => reject(new Error('server exited')));
  });
  return { proc, url, stop: () => proc.kill('SIGTERM') };
}

export async function browser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function cleanup(base) {
  rmSync(base, { recursive: true, force: true });
}
