// SPDX-License-Identifier: GPL-3.0-or-later
//
// Independent ESC/POS decoder for vuoro's tests.  It parses a raw byte
// stream (as the firmware would send it to the printer) with the npm
// package npos, not with our own code, and prints one JSON object:
//   {"commands": [...], "text": "...", "text_hex": "...", "texts": [...],
//    "qr": [...], "images": [...], "cuts": N, "bytes": N}
// "images" are the GS v 0 raster pictures: {offset, m, width, height} in
// dots; with PBM_PREFIX each is also written as PREFIX-N.pbm (P4, N from 0),
// the picture as the printer would print it, for OCR and QR readers.
// Exit 2: unknown command; exit 3: truncated stream; exit 1: usage/IO.
//
// Usage: node tests/escpos/decode.js FILE [PBM_PREFIX]
'use strict';

const fs = require('fs');
const npos = require('npos');

function die(code, msg) {
  process.stderr.write('decode.js: ' + msg + '\n');
  process.exit(code);
}

if (process.argv.length !== 3 && process.argv.length !== 4) {
  die(1, 'usage: node decode.js FILE [PBM_PREFIX]');
}
const pbmPrefix = process.argv[3];
let raw;
try {
  raw = fs.readFileSync(process.argv[2]);
} catch (e) {
  die(1, e.message);
}

// npos lacks GS ( k (2D codes: QR); it has the same shape as GS ( L etc.:
// pL pH then pL + pH * 256 bytes.
npos.rules[0x1d]['(k'] = [0, 'd16'];

// npos's d16/d32 splitters accept a header cut short; make them overrun
// instead so that the length check below reports the truncation.
function sized(n, read) {
  return (buf, off) => (off + n > buf.length ? buf.length - off + 1 : n + read(buf, off));
}
const d16 = sized(2, (b, o) => b.readUInt16LE(o));
const d32 = sized(4, (b, o) => b.readUInt32LE(o));
const rules = {};
for (const code of Object.keys(npos.rules)) {
  const group = npos.rules[code];
  if (typeof group !== 'object') { rules[code] = group; continue; }
  rules[code] = {};
  for (const fn of Object.keys(group)) {
    const rule = Array.isArray(group[fn]) ? group[fn] : [group[fn]];
    rules[code][fn] = rule.map((s) => (s === 'd16' || s === 'data16' ? d16 : s === 'd32' ? d32 : s));
  }
}

const ast = new npos.Parser(rules).analyze(raw);
if (ast.error) {
  const m = /<\((\d+)\//.exec(ast.error.message);
  const at = m ? Number(m[1]) : -1;
  // A command whose function bytes are cut off is reported as unknown by npos.
  const rest = at >= 0 ? raw.slice(at + 1).toString('latin1') : null;
  const group = at >= 0 ? rules[raw[at]] : null;
  if (group && Object.keys(group).some((fn) => fn.length > rest.length && fn.startsWith(rest))) {
    die(3, 'truncated command at offset ' + at + ' (stream is ' + raw.length + ' bytes)');
  }
  die(2, 'unknown command at offset ' + at + ': ' + ast.error.message);
}

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const out = {
  commands: [], text: '', text_hex: '', texts: [], qr: [], images: [], cuts: 0, bytes: raw.length,
};
const textBufs = [];

for (const node of ast.tree) {
  const end = node.offset + node.length;
  if (end > raw.length) {
    die(3, 'truncated command ' + (node.ascii + ' ' + (node.fn || '')).trim() + ' at offset ' +
      node.offset + ': runs past the end of the ' + raw.length + '-byte stream');
  }
  const bytes = raw.slice(node.offset, end);
  if (node.code === 2 && node.ascii === 'STX') { // npos's node for a run of plain bytes
    textBufs.push(bytes);
    out.texts.push({ offset: node.offset, text: bytes.toString('latin1') });
    continue;
  }
  const fn = node.fn || '';
  if (node.code === 0x1d && fn === 'v0') {
    // m xL xH yL yH d1…dk: k = (xL + xH*256) * (yL + yH*256), MSB leftmost, 1 black
    // (the data is not listed in "commands": it can be tens of KB).
    const h = bytes.slice(1 + fn.length);
    const xb = h[1] + h[2] * 256;
    const rows = h[3] + h[4] * 256;
    const img = { offset: node.offset, m: h[0], width: xb * 8, height: rows };
    if (h.length !== 5 + xb * rows) die(3, 'GS v 0 at offset ' + node.offset + ': size does not match');
    if (pbmPrefix) {
      img.pbm = pbmPrefix + '-' + out.images.length + '.pbm';
      try {
        fs.writeFileSync(img.pbm, Buffer.concat([Buffer.from('P4\n' + img.width + ' ' + rows + '\n'), h.slice(5)]));
      } catch (e) {
        die(1, e.message);
      }
    }
    out.images.push(img);
    out.commands.push({ name: 'GS v0', code: node.hex, fn: fn, offset: node.offset, length: node.length,
      hex: hex(bytes.slice(0, 8)), params: Array.from(h.slice(0, 5)) });
    continue;
  }
  const params = Array.from(bytes.slice(1 + fn.length));
  out.commands.push({
    name: (node.ascii + ' ' + fn).trim(),
    code: node.hex,
    fn: fn,
    offset: node.offset,
    length: node.length,
    hex: hex(bytes),
    params: params,
  });
  if (node.code === 0x1d && fn === 'V') out.cuts++;
  if (node.code === 0x1d && fn === '(k' && params[2] === 0x31 && params[3] === 0x50) {
    // pL pH cn fn m data...; params may carry NULs npos swallowed after it.
    const n = params[0] + params[1] * 256;
    out.qr.push(Buffer.from(params.slice(5, 2 + n)).toString('latin1'));
  }
}

const text = Buffer.concat(textBufs);
out.text = text.toString('latin1');
out.text_hex = hex(text);
process.stdout.write(JSON.stringify(out) + '\n');
