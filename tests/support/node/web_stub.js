// A stand-in for serve's HTTP API (docs/web-api.md) for the web page's browser test when serve is
// built without HTTP: the page's files as dk_ui_export wrote them (MANIFEST.tsv: path, media type,
// entity tag; "/" is /ui/index.html), QIDO-RS over the files of one folder, study removal (read with
// `dicomkit dump --json`), metadata, rendered frames and thumbnails (`dicomkit render`), STOW-RS
// into the folder, login with one user. Listens on 127.0.0.1 only.
// usage: node web_stub.js DICOMKIT EXPORT_DIR DATA_DIR USER PASSWORD  (prints "listening on 127.0.0.1:PORT")
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const [dk, exportDir, dataDir, user, password] = process.argv.slice(2);
const pageFiles = new Map(fs.readFileSync(path.join(exportDir, 'MANIFEST.tsv'), 'utf8').trim().split('\n')
  .map((line) => line.split('\t')).map(([p, type, etag]) => [p, { type, etag, body: fs.readFileSync(path.join(exportDir, p)) }]));
const COOKIE = `dk_session=${require('crypto').randomBytes(12).toString('hex')}`;
const instances = [];  // {file, json}

function add(file) {
  const out = execFileSync(dk, ['dump', '--json', '--stop-before-pixels', '-q', file], { maxBuffer: 64 << 20 });
  const json = JSON.parse(out.toString());
  const uid = (json['00080018'] || {}).Value?.[0];
  if (!uid || !(json['0020000D'] || {}).Value) throw new Error('not an instance');
  for (const t of Object.keys(json)) if (t.startsWith('0002')) delete json[t];
  const i = instances.findIndex((x) => x.json['00080018'].Value[0] === uid);
  if (i >= 0) instances.splice(i, 1);
  instances.push({ file, json });
  return uid;
}
for (const f of fs.readdirSync(dataDir)) { try { add(path.join(dataDir, f)); } catch { /* not DICOM */ } }

const v = (j, t) => (j[t] && j[t].Value ? j[t].Value[0] : undefined);
const s = (j, t) => { const x = v(j, t); return x && typeof x === 'object' ? x.Alphabetic || '' : x === undefined ? '' : String(x); };
const matches = (pattern, value) => {
  if (!pattern) return true;
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'i');
  return re.test(value);
};
const dateIn = (range, d) => {
  if (!range) return true;
  if (!range.includes('-')) return d === range;
  const [a, b] = range.split('-');
  return (!a || d >= a) && (!b || d <= b);
};
const pick = (j, tags) => Object.fromEntries(tags.filter((t) => j[t]).map((t) => [t, j[t]]));
const STUDY = ['00080020', '00080030', '00080050', '00100010', '00100020', '00100030', '00100040', '0020000D', '00200010', '00081030'];
const SERIES = ['00080060', '0020000E', '00200011', '0008103E', '0020000D'];
const INSTANCE = ['00080016', '00080018', '00200013', '00280008', '00280010', '00280011', '0020000E', '0020000D'];
const uniq = (a) => [...new Set(a)];

function studies(q) {
  const by = new Map();
  for (const x of instances) {
    const u = s(x.json, '0020000D');
    if (!by.has(u)) by.set(u, []);
    by.get(u).push(x.json);
  }
  return [...by.values()].filter((list) => {
    const j = list[0];
    const mods = uniq(list.map((i) => s(i, '00080060')));
    return matches(q.get('PatientName'), s(j, '00100010')) && matches(q.get('PatientID'), s(j, '00100020')) &&
      matches(q.get('AccessionNumber'), s(j, '00080050')) && dateIn(q.get('StudyDate'), s(j, '00080020')) &&
      (!q.get('ModalitiesInStudy') || mods.includes(q.get('ModalitiesInStudy'))) &&
      (!q.get('StudyInstanceUID') || q.get('StudyInstanceUID') === s(j, '0020000D'));
  }).map((list) => ({
    ...pick(list[0], STUDY),
    '00080061': { vr: 'CS', Value: uniq(list.map((i) => s(i, '00080060'))) },
    '00201206': { vr: 'IS', Value: [uniq(list.map((i) => s(i, '0020000E'))).length] },
    '00201208': { vr: 'IS', Value: [list.length] },
  }));
}
function series(study) {
  const list = instances.filter((x) => s(x.json, '0020000D') === study).map((x) => x.json);
  return uniq(list.map((j) => s(j, '0020000E'))).map((se) => {
    const l = list.filter((j) => s(j, '0020000E') === se);
    return { ...pick(l[0], SERIES), '00201209': { vr: 'IS', Value: [l.length] } };
  });
}
const find = (st, se, i) => instances.find((x) => s(x.json, '0020000D') === st && (!se || s(x.json, '0020000E') === se) && (!i || s(x.json, '00080018') === i));

function render(res, file, frame, q) {
  const out = path.join(require('os').tmpdir(), `dkstub-${process.pid}-${Math.random().toString(36).slice(2)}.jpg`);
  const args = ['render', '--frame', String(frame), file, out];
  const vp = (q.get('viewport') || '').split(',');
  if (vp.length === 2) args.push('--size', `${vp[0]}x${vp[1]}`);
  const w = (q.get('window') || '').split(',');
  if (w.length >= 2) args.push('--window', `${w[0]},${w[1]}`);
  try {
    execFileSync(dk, args, { stdio: 'ignore' });
    const body = fs.readFileSync(out);
    fs.unlinkSync(out);
    res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': body.length });
    res.end(body);
  } catch { json(res, 422, { error: 'cannot render' }); }
}

function json(res, status, body, type = 'application/json') {
  const b = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': b.length });
  res.end(b);
}

function stow(req, res, body) {
  const m = /boundary="?([^";]+)"?/.exec(req.headers['content-type'] || '');
  if (!m) return json(res, 415, { error: 'multipart/related with a boundary expected' });
  const delim = Buffer.from(`--${m[1]}`);
  const ok = [], failed = [];
  let at = body.indexOf(delim);
  let n = 0;
  while (at >= 0) {
    const next = body.indexOf(delim, at + delim.length);
    if (next < 0) break;
    const part = body.subarray(at + delim.length, next);
    const head = part.indexOf('\r\n\r\n');
    if (head >= 0) {
      const file = path.join(dataDir, `stow-${Date.now()}-${n++}.dcm`);
      fs.writeFileSync(file, part.subarray(head + 4, part.length - 2));
      try { ok.push(add(file)); } catch { failed.push(''); fs.unlinkSync(file); }
    }
    at = next;
  }
  const item = (uid, reason) => ({ '00081155': { vr: 'UI', Value: [uid] }, ...(reason ? { '00081197': { vr: 'US', Value: [reason] } } : {}) });
  const answer = {};
  if (ok.length) answer['00081199'] = { vr: 'SQ', Value: ok.map((u) => item(u)) };
  if (failed.length) answer['00081198'] = { vr: 'SQ', Value: failed.map((u) => item(u, 0xC000)) };
  json(res, failed.length ? (ok.length ? 202 : 409) : 200, answer, 'application/dicom+json');
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'x:/');
    const p = decodeURIComponent(url.pathname);
    const q = url.searchParams;
    const authed = (req.headers.cookie || '').includes(COOKIE);
    const page = pageFiles.get(p === '/' ? '/ui/index.html' : p);
    if (page) {
      res.writeHead(200, { 'Content-Type': page.type, ETag: page.etag, 'Content-Length': page.body.length });
      return res.end(page.body);
    }
    if (p === '/api/login' && req.method === 'POST') {
      let b = {};
      try { b = JSON.parse(Buffer.concat(chunks).toString()); } catch { /* empty */ }
      if (b.user !== user || b.password !== password) return json(res, 401, { error: 'bad credentials' });
      res.setHeader('Set-Cookie', `${COOKIE}; HttpOnly; SameSite=Strict; Path=/`);
      return json(res, 200, { user, role: 'admin' });
    }
    if (!authed && (p.startsWith('/api') || p.startsWith('/dicom-web'))) return json(res, 401, { error: 'log in first' });
    if (p === '/api/logout') { res.writeHead(204, { 'Set-Cookie': 'dk_session=; Max-Age=0; Path=/' }); return res.end(); }
    if (p === '/api/me') return json(res, 200, { user, role: 'admin' });
    if (p === '/api/stats') return json(res, 200, { patients: uniq(instances.map((x) => s(x.json, '00100020'))).length, studies: studies(new URLSearchParams()).length, series: uniq(instances.map((x) => s(x.json, '0020000E'))).length, instances: instances.length, disk_bytes: 0, free_bytes: 0 });
    const del = /^\/api\/studies\/([^/]+)$/.exec(p);
    if (del && req.method === 'DELETE') {
      const gone = instances.filter((x) => s(x.json, '0020000D') === del[1]);
      for (const x of gone) { instances.splice(instances.indexOf(x), 1); fs.unlinkSync(x.file); }
      return json(res, gone.length ? 200 : 404, gone.length ? { deleted: gone.length } : { error: 'no such study' });
    }
    if (['/api/peers', '/api/jobs', '/api/worklist', '/api/log/associations', '/api/log/http'].includes(p)) return json(res, 200, []);
    if (p === '/api/conformance') return json(res, 501, { error: 'not available in this stand-in' });
    const dw = /^\/dicom-web\/studies(?:\/([^/]+))?(?:\/series(?:\/([^/]+))?)?(?:\/instances(?:\/([^/]+))?)?(?:\/(metadata|thumbnail|rendered|frames\/(\d+)\/rendered))?$/.exec(p);
    if (!dw) return json(res, 404, { error: 'not found' });
    const [, st, se, i, what, frame] = dw;
    if (req.method === 'POST' && !st) return stow(req, res, Buffer.concat(chunks));
    const dicom = 'application/dicom+json';
    if (what === 'metadata' && i) return find(st, se, i) ? json(res, 200, [find(st, se, i).json], dicom) : json(res, 404, { error: 'no such instance' });
    if (what === 'thumbnail' || what === 'rendered' || frame) {
      const x = find(st, se, i);
      return x ? render(res, x.file, frame ? Number(frame) - 1 : 0, q) : json(res, 404, { error: 'no such instance' });
    }
    if (!st) return json(res, 200, studies(q).slice(Number(q.get('offset') || 0), Number(q.get('offset') || 0) + Number(q.get('limit') || 1000)), dicom);
    if (p.endsWith('/series')) return json(res, 200, series(st), dicom);
    if (p.endsWith('/instances')) return json(res, 200, instances.filter((x) => s(x.json, '0020000D') === st && s(x.json, '0020000E') === se).map((x) => pick(x.json, INSTANCE)), dicom);
    return json(res, 404, { error: 'not found' });
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${server.address().port}`));
