// Upload: files dropped or picked, stored with STOW-RS (PS3.18 10.5), a result per file.
import { el, text, values, bytes, toast } from './api.js';

const BATCH_FILES = 25;
const BATCH_BYTES = 64 * 1024 * 1024;

/// The Media Storage SOP Instance UID (0002,0003) of a Part 10 file's meta information
/// (PS3.10 7.1: 128-byte preamble, "DICM", group 2 in explicit VR little endian); '' if none.
async function sopInstanceUid(file) {
  const buf = new DataView(await file.slice(0, 16384).arrayBuffer());
  if (buf.byteLength < 132 || buf.getUint32(128, false) !== 0x4449434d) return '';
  let p = 132;
  while (p + 8 <= buf.byteLength) {
    const group = buf.getUint16(p, true);
    const element = buf.getUint16(p + 2, true);
    if (group !== 2) break;
    const vr = String.fromCharCode(buf.getUint8(p + 4), buf.getUint8(p + 5));
    let length, start;
    if (['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV', 'SV', 'UV'].includes(vr)) {
      if (p + 12 > buf.byteLength) break;
      length = buf.getUint32(p + 8, true);
      start = p + 12;
    } else {
      length = buf.getUint16(p + 6, true);
      start = p + 8;
    }
    if (start + length > buf.byteLength) break;
    if (element === 3) {
      let uid = '';
      for (let k = 0; k < length; k++) uid += String.fromCharCode(buf.getUint8(start + k));
      return uid.replace(/[\0 ]+$/, '');
    }
    p = start + length;
  }
  return '';
}

/// One STOW-RS request for the files: multipart/related, one application/dicom part each.
async function stow(files) {
  const boundary = `dk-${crypto.getRandomValues(new Uint32Array(2)).join('-')}`;
  const parts = [];
  for (const f of files) parts.push(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`, f, '\r\n');
  parts.push(`--${boundary}--\r\n`);
  const r = await fetch('/dicom-web/studies', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`, Accept: 'application/dicom+json' },
    body: new Blob(parts),
  });
  let answer = null;
  try { answer = await r.json(); } catch { /* no body */ }
  if (r.status === 401) window.dispatchEvent(new Event('dk-unauthorized'));
  return { status: r.status, answer: Array.isArray(answer) ? answer[0] : answer };
}

export async function uploadView(main) {
  const input = el('input', { type: 'file', id: 'file-input', multiple: true, accept: '.dcm,application/dicom,*/*' });
  const drop = el('div', { class: 'drop card', id: 'drop' },
    el('p', {}, 'Drop DICOM files here, or ', el('label', { class: 'button' }, 'choose files', input)));
  const tbody = el('tbody');
  const summary = el('p', { class: 'muted', id: 'upload-summary' });
  main.append(el('h2', {}, 'Upload'), drop, summary,
    el('table', { class: 'list', id: 'uploads' },
      el('thead', {}, el('tr', {}, el('th', {}, 'File'), el('th', {}, 'Size'), el('th', {}, 'SOP Instance UID'), el('th', {}, 'Result'))),
      tbody));

  const upload = async (fileList) => {
    const files = [...fileList];
    if (!files.length) return;
    const entries = [];
    for (const f of files) {
      const result = el('td', { class: 'result' }, 'waiting');
      const uid = await sopInstanceUid(f).catch(() => '');
      tbody.prepend(el('tr', {}, el('td', {}, f.name), el('td', { class: 'num' }, bytes(f.size)), el('td', {}, uid || '–'), result));
      entries.push({ file: f, uid, result });
    }
    let stored = 0, failed = 0;
    for (let i = 0; i < entries.length;) {
      const batch = [];
      let size = 0;
      while (i < entries.length && batch.length < BATCH_FILES && (batch.length === 0 || size + entries[i].file.size <= BATCH_BYTES)) {
        size += entries[i].file.size;
        batch.push(entries[i++]);
      }
      for (const e of batch) e.result.textContent = 'sending…';
      let reply;
      try {
        reply = await stow(batch.map((e) => e.file));
      } catch (err) {
        for (const e of batch) { e.result.textContent = `failed: ${err.message}`; e.result.className = 'result bad'; }
        failed += batch.length;
        continue;
      }
      const ok = new Set(values(reply.answer, '00081199').map((item) => text(item, '00081155')));
      const bad = new Map(values(reply.answer, '00081198').map((item) => [text(item, '00081155'), text(item, '00081197')]));
      for (const e of batch) {
        if (e.uid && ok.has(e.uid)) {
          e.result.textContent = 'stored'; e.result.className = 'result good'; stored++;
        } else if (e.uid && bad.has(e.uid)) {
          const reason = bad.get(e.uid);
          e.result.textContent = `failed${reason ? ` (reason 0x${Number(reason).toString(16).toUpperCase()})` : ''}`;
          e.result.className = 'result bad'; failed++;
        } else if (reply.status === 200) {
          e.result.textContent = 'stored'; e.result.className = 'result good'; stored++;
        } else {
          const why = reply.answer && reply.answer.error ? reply.answer.error : `HTTP ${reply.status}`;
          e.result.textContent = `failed: ${e.uid ? why : 'not a DICOM Part 10 file'}`; e.result.className = 'result bad'; failed++;
        }
      }
    }
    summary.textContent = `${stored} stored, ${failed} failed`;
    toast(summary.textContent, failed > 0);
  };

  input.addEventListener('change', () => { upload(input.files); input.value = ''; });
  drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    upload(ev.dataTransfer.files);
  });
  return null;
}
