// SPDX-License-Identifier: AGPL-3.0-or-later
// "View safely" on the desk (issue 18, docs/safe-viewing.md), in a real
// browser under the desk's strict CSP: a source sends a PDF with JavaScript
// and a link, and a file that is no document; the demo admin opens the
// submission, clicks "View safely" on the PDF, asks for the conversion, and
// sees its pages as images (each loaded: rendered from the clean copy by the
// converter service the desk started before it confined itself); downloads
// the clean PDF (images only); the other file is refused with its reason.
// A screenshot of the view is left in $CUTOUT_BUILD/safeview.png.
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, done, makeInstance, browser, cleanup, codes, demo } from './lib.mjs';

function pdf(objs) {
  let out = '%PDF-1.7\n';
  const offs = {};
  const keys = Object.keys(objs).map(Number).sort((a, b) => a - b);
  for (const k of keys) {
    offs[k] = out.length;
    out += `${k} 0 obj\n${objs[k]}\nendobj\n`;
  }
  const xref = out.length;
  const n = keys[keys.length - 1] + 1;
  out += `xref\n0 ${n}\n0000000000 65535 f \n`;
  for (let k = 1; k < n; k++) out += `${String(offs[k]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${n} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const text1 = 'BT /F1 30 Tf 60 700 Td (A letter from a source) Tj ET ' +
  'BT /F1 16 Tf 60 650 Td (Page one, rendered to pixels in a sandbox.) Tj ET';
const text2 = 'BT /F1 30 Tf 60 700 Td (Second page) Tj ET';
const HOSTILE = pdf({
  1: '<< /Type /Catalog /Pages 2 0 R /OpenAction 7 0 R >>',
  2: '<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>',
  3: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R' +
     ' /Resources << /Font << /F1 6 0 R >> >> /Annots [8 0 R] >>',
  4: `<< /Length ${text1.length} >>\nstream\n${text1}\nendstream`,
  5: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 9 0 R' +
     ' /Resources << /Font << /F1 6 0 R >> >> >>',
  6: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  7: '<< /S /JavaScript /JS (app.alert\\(1\\)) >>',
  8: '<< /Type /Annot /Subtype /Link /Rect [0 0 612 792] /A << /S /URI /URI (http://phone.home.example/) >> >>',
  9: `<< /Length ${text2.length} >>\nstream\n${text2}\nendstream`,
});

const { base, dir } = makeInstance();
const srv = await demo(dir);
const b = await browser();
try {
  // the source, through the JSON API
  const s = await (await fetch(srv.intake + '/api/v1/sources', { method: 'POST' })).json();
  const form = new FormData();
  form.append('message', 'two files');
  form.append('file', new Blob([HOSTILE], { type: 'application/pdf' }), 'letter.pdf');
  form.append('file', new Blob([Buffer.from('MZ this is a program')]), 'setup.exe');
  const r = await fetch(srv.intake + '/api/v1/submissions', {
    method: 'POST', body: form, headers: { Authorization: 'Bearer ' + s.token },
  });
  const sub = (await r.json()).id;
  ok(r.status === 201 && sub > 0, 'a source sends a hostile PDF and a program');

  const code = codes(srv.secret, Math.floor(Date.now() / 30000) - 1);
  const ctx = await b.newContext({ acceptDownloads: true });
  const p = await ctx.newPage();
  const errors = [];
  p.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  p.on('dialog', (d) => { errors.push('dialog: ' + d.message()); d.dismiss(); });
  await p.goto(srv.desk + '/login');
  await p.fill('#name', 'demo-admin');
  await p.fill('#password', srv.password);
  await p.fill('#totp', await code());
  await p.click('#login');
  ok(p.url().endsWith('/inbox'), 'the demo admin logs in');

  await p.goto(`${srv.desk}/submission?id=${sub}`);
  const links = await p.$$('a.view-safe');
  ok(links.length === 2, 'each file has "View safely"');
  await links[0].click();
  ok(p.url().includes('/file/safe?'), 'the safe view opens');
  ok((await p.$$('#convert')).length === 1, 'no copy yet: a button asks for the conversion');
  const [resp] = await Promise.all([p.waitForNavigation(), p.click('#convert')]);
  ok(resp.status() === 200 && p.url().includes('/file/safe?'), 'converted: back on the view');
  const csp = resp.headers()['content-security-policy'] || '';
  ok(/default-src 'none'/.test(csp) && /img-src 'self'/.test(csp),
    'the view is served under the desk\'s CSP: ' + csp);
  ok((await p.getAttribute('#safe-pages', 'data-pages')) === '2', 'two pages');
  await p.waitForFunction(() => {
    const imgs = [...document.querySelectorAll('img')];
    return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, null, { timeout: 60000 });
  const sizes = await p.$$eval('.safe-page img', (imgs) => imgs.map((i) => [i.naturalWidth, i.naturalHeight]));
  ok(sizes.length === 2 && sizes.every(([w, h]) => w === 1275 && h === 1650),
    'both pages shown as images of 1275 x 1650 pixels (150 DPI): ' + JSON.stringify(sizes));
  const shot = join(process.env.CUTOUT_BUILD || base, 'safeview.png');
  await p.screenshot({ path: shot, fullPage: true });
  ok(readFileSync(shot).length > 1000, 'a screenshot of the view: ' + shot);

  const [dl] = await Promise.all([p.waitForEvent('download'), p.click('a.download-safe')]);
  const path = join(base, 'safe.pdf');
  await dl.saveAs(path);
  const bytes = readFileSync(path);
  ok(bytes.subarray(0, 5).toString() === '%PDF-' && !bytes.includes('JavaScript') &&
     !bytes.includes('phone.home') && !bytes.includes('/Font') && bytes.includes('/Image'),
  'the clean PDF downloads: images only, no script, link or font');
  ok((await p.$$('a.download[href^="/file?"]')).length === 1, 'the original stays downloadable');

  // the program: refused with its reason
  await p.goto(`${srv.desk}/file/safe?sub=${sub}&n=2`);
  const [r2] = await Promise.all([p.waitForNavigation(), p.click('#convert')]);
  const body = await p.textContent('body');
  ok(r2.status() === 422 && body.includes('refused') && body.includes('not a document'),
    'a program is refused with its reason');
  ok(errors.length === 0, 'no console error, no dialog: ' + JSON.stringify(errors));
  writeFileSync(join(base, 'done'), 'ok');
} finally {
  await b.close();
  srv.stop();
  cleanup(base);
}
done();
