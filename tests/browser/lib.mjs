// SPDX-License-Identifier: AGPL-3.0-or-later
// Shared helpers of the browser tests: TAP output, a throwaway instance served
// by the real binary, and Debian's chromium driven by playwright-core.
import { spawn, spawnSync } from 'node:child_process';
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

export function cutout(args, input) {
  const p = spawnSync(CUTOUT, args, { input: input ?? '', encoding: 'utf8' });
  return { code: p.status, out: p.stdout, err: p.stderr };
}

export function makeInstance() {
  const base = mkdtempSync(join(tmpdir(), 'cutout-browser-'));
  const dir = join(base, 'inst');
  const r = cutout(['init', dir, '--organisation', 'Browser Test Desk']);
  if (r.code !== 0) throw new Error('init failed: ' + r.err);
  const conf = join(dir, 'cutout.conf');
  const lines = readFileSync(conf, 'utf8').split('\n')
    .filter((l) => !/^\s*argon2_(opslimit|memlimit)\s*=/.test(l));
  lines.push('argon2_opslimit = 1', 'argon2_memlimit = 8M');
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
