// Administration: statistics, peers with C-ECHO, jobs with their progress, the Modality Worklist,
// the recent logs.
import { api, send, el, bytes, toast } from './api.js';

const POLL_MS = 2000;

function table(id, columns, rows) {
  return el('table', { class: 'list', id },
    el('thead', {}, el('tr', {}, columns.map(([, label]) => el('th', {}, label)))),
    el('tbody', {}, rows.length
      ? rows.map((r) => el('tr', {}, columns.map(([key, , fmt]) => el('td', {}, fmt ? fmt(r[key], r) : r[key] ?? ''))))
      : el('tr', {}, el('td', { colspan: columns.length, class: 'muted' }, 'none'))));
}

/// Fills the box; false when the server does not offer this part (501).
async function section(box, load, id) {
  try {
    box.replaceChildren(await load());
    return true;
  } catch (e) {
    if (e.status === 501) {
      box.replaceChildren(el('p', { class: 'muted', id: `${id}-unavailable` }, 'Not available on this server.'));
      return false;
    }
    box.replaceChildren(el('p', { class: 'error' }, e.message));
    return true;
  }
}

const stats = async () => {
  const s = await api('/api/stats');
  const used = s.disk_bytes, free = s.free_bytes;
  return el('dl', { class: 'stats', id: 'stats' },
    [['Patients', s.patients], ['Studies', s.studies], ['Series', s.series], ['Instances', s.instances],
      ['Stored', bytes(used)], ['Free', bytes(free)]].map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v ?? ''))));
};

const peers = async () => table('peers', [
  ['ae', 'AE title'], ['host', 'Host'], ['port', 'Port'], ['tls', 'TLS', (v) => (v ? 'yes' : 'no')],
  ['allow', 'Allowed', (v) => (v || []).join(', ')],
  ['ae', '', (ae) => {
    const out = el('span', { class: 'muted' });
    return el('span', {}, el('button', { type: 'button', class: 'secondary', onclick: async () => {
      out.textContent = '…';
      try {
        const r = await send('POST', `/api/peers/${encodeURIComponent(ae)}/echo`);
        out.textContent = r.ok ? ` ok, ${r.ms} ms` : ` failed: ${r.error || ''}`;
        out.className = r.ok ? 'good' : 'bad';
      } catch (e) { out.textContent = ` failed: ${e.message}`; out.className = 'bad'; }
    } }, 'Echo'), out);
  }],
], (await api('/api/peers')) || []);

const progress = (job) => {
  const total = job.total || 0;
  const done = (job.done || 0) + (job.failed || 0);
  return el('span', {}, el('progress', { max: total || 1, value: total ? done : job.state === 'done' ? 1 : 0 }),
    ` ${job.done || 0}/${total}${job.failed ? `, ${job.failed} failed` : ''}`);
};
/// ISO 8601 text as it is (without the T and fractions), numbers as Unix time (seconds or ms).
const time = (t) => {
  if (t === undefined || t === null || t === '') return '';
  const iso = typeof t === 'number' ? new Date(t < 1e11 ? t * 1000 : t).toISOString() : String(t);
  return iso.replace('T', ' ').replace(/\.\d+Z?$|Z$/, '');
};

const jobs = async () => table('jobs', [
  ['id', 'Job'], ['type', 'Type'], ['peer', 'Peer or path', (v, job) => v || job.path || ''],
  ['state', 'State', (v) => el('span', { class: `state ${v}` }, v)],
  ['total', 'Progress', (v, job) => progress(job)], ['started', 'Started', time], ['ended', 'Ended', time],
  ['error', 'Error', (v, job) => v || job.note || ''],
  ['id', '', (id, job) => (job.state === 'queued' || job.state === 'running'
    ? el('button', { type: 'button', class: 'secondary', onclick: async (ev) => {
      ev.target.disabled = true;
      try { await send('POST', `/api/jobs/${id}/cancel`); } catch (e) { ev.target.textContent = e.message; }
    } }, 'Cancel')
    : '')],
], ((await api('/api/jobs')) || []).sort((a, b) => b.id - a.id));

/// The first value of a DICOM JSON attribute (a person name's alphabetic group).
const value = (ds, tag) => {
  const v = ds && ds[tag] && ds[tag].Value && ds[tag].Value[0];
  return v && typeof v === 'object' ? v.Alphabetic || '' : v ?? '';
};
/// The scheduled procedure steps not completed, canceled or discontinued (GET /api/worklist).
const worklist = async () => {
  const items = ((await api('/api/worklist?limit=200')) || []).map((w) => {
    const step = (w.item['00400100'] && w.item['00400100'].Value && w.item['00400100'].Value[0]) || {};
    return { id: w.id, order: w.order_key, pid: value(w.item, '00100020'), name: value(w.item, '00100010'),
      accession: value(w.item, '00080050'), modality: value(step, '00080060'), station: value(step, '00400001'),
      start: `${value(step, '00400002')} ${value(step, '00400003')}`, status: value(step, '00400020') };
  });
  return table('worklist', [['id', 'Item'], ['order', 'Order'], ['pid', 'Patient ID'], ['name', 'Patient'],
    ['accession', 'Accession'], ['modality', 'Modality'], ['station', 'Station'], ['start', 'Start'],
    ['status', 'Status']], items);
};

const associations = async () => table('associations', [
  ['time', 'Time', time], ['peer', 'Peer'], ['calling_ae', 'Calling AE'], ['called_ae', 'Called AE'],
  ['what', 'What'], ['result', 'Result'],
], ((await api('/api/log/associations')) || []).slice(0, 100));

const http = async () => table('http-log', [
  ['time', 'Time', time], ['user', 'User'], ['method', 'Method'], ['path', 'Path'], ['status', 'Status'], ['ms', 'ms'],
], ((await api('/api/log/http')) || []).slice(0, 100));

/// What the running server offers: its ports, services, DICOMweb resources and codecs.
const conformance = async () => {
  const c = await api('/api/conformance');
  const list = (items) => el('ul', {}, (items || []).map((i) => el('li', {}, i)));
  const facts = [['AE title', c.ae_title], ['DICOM port', `${c.dicom_port}${c.dicom_tls ? ' (TLS)' : ''}`],
    ['DICOM TLS port', c.tls_port || 'none'], ['HTTP port', `${c.http_port}${c.https ? ' (HTTPS)' : ''}`],
    ['Authentication', c.authentication ? 'on' : 'off'], ['Index', c.index],
    ['Storage SOP classes', c.storage_sop_classes], ['Unknown calling AEs', c.accept_unknown_ae ? 'accepted' : 'refused'],
    ['Peers', c.peers], ['Ingest transfer syntax', c.ingest_transfer_syntax || 'as received']];
  return el('div', { id: 'conformance' },
    el('p', {}, 'The full DICOM Conformance Statement: ',
      el('a', { href: '/api/conformance?format=html', target: '_blank', rel: 'noopener' }, 'HTML'), ', ',
      el('a', { href: '/api/conformance?format=md', target: '_blank', rel: 'noopener' }, 'Markdown')),
    el('dl', { class: 'stats' }, facts.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, String(v ?? ''))))),
    el('h4', {}, 'DIMSE (summary)'), list(c.dimse), el('h4', {}, 'DICOMweb'), list(c.dicomweb),
    el('h4', {}, 'Decodes'), list(c.decode), el('h4', {}, 'Encodes'), list(c.encode));
};

/// An import job of a medium or folder on the server (under [storage] import_roots).
const importForm = () => {
  const path = el('input', { type: 'text', id: 'import-path', placeholder: '/media/cdrom or /media/cdrom/DICOMDIR', size: 40 });
  const out = el('span', { class: 'muted' });
  return el('form', { id: 'import-form', onsubmit: async (ev) => {
    ev.preventDefault();
    out.textContent = '…';
    try {
      const r = await send('POST', '/api/jobs', { type: 'import', path: path.value.trim() });
      out.textContent = ` job ${r.id} started`;
      out.className = 'good';
    } catch (e) { out.textContent = ` ${e.message}`; out.className = 'bad'; }
  } }, el('label', {}, 'Import a medium or folder on the server: ', path), ' ',
  el('button', { type: 'submit' }, 'Import'), out);
};

export async function adminView(main) {
  const parts = [['Statistics', stats, 'stats'], ['Peers', peers, 'peers'], ['Jobs', jobs, 'jobs'],
    ['Worklist', worklist, 'worklist'], ['Recent associations', associations, 'associations'],
    ['Recent HTTP requests', http, 'http-log'],
    ['Conformance', conformance, 'conformance']];
  const boxes = parts.map(([title, load, id]) => {
    const box = el('div', { class: 'box' }, el('p', { class: 'muted' }, 'Loading…'));
    main.append(el('section', { class: 'card admin' },
      el('h3', {}, title, ' ', el('button', { type: 'button', class: 'link', title: 'Refresh', onclick: () => section(box, load, id) }, '↻')), box));
    return [box, load, id];
  });
  const offered = await Promise.all(boxes.map(([box, load, id]) => section(box, load, id)));
  // Jobs are polled while this view is shown (when the server has them).
  const [jobBox] = boxes[2];
  if (!offered[2]) return null;
  jobBox.parentElement.insertBefore(importForm(), jobBox);
  const timer = setInterval(() => section(jobBox, jobs, 'jobs').catch((e) => toast(e.message, true)), POLL_MS);
  return () => clearInterval(timer);
}
