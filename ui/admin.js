// Administration: statistics, peers with C-ECHO, jobs with their progress, the recent logs.
import { api, send, el, bytes, toast } from './api.js';

const POLL_MS = 2000;

function table(id, columns, rows) {
  return el('table', { class: 'list', id },
    el('thead', {}, el('tr', {}, columns.map(([, label]) => el('th', {}, label)))),
    el('tbody', {}, rows.length
      ? rows.map((r) => el('tr', {}, columns.map(([key, , fmt]) => el('td', {}, fmt ? fmt(r[key], r) : r[key] ?? ''))))
      : el('tr', {}, el('td', { colspan: columns.length, class: 'muted' }, 'none'))));
}

async function section(box, load) {
  try {
    box.replaceChildren(await load());
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error' }, e.message));
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
const time = (t) => (t ? String(t).replace('T', ' ').replace(/\.\d+Z?$|Z$/, '') : '');

const jobs = async () => table('jobs', [
  ['id', 'Job'], ['type', 'Type'], ['peer', 'Peer'], ['state', 'State', (v) => el('span', { class: `state ${v}` }, v)],
  ['total', 'Progress', (v, job) => progress(job)], ['started', 'Started', time], ['ended', 'Ended', time],
  ['error', 'Error'],
], ((await api('/api/jobs')) || []).sort((a, b) => b.id - a.id));

const associations = async () => table('associations', [
  ['time', 'Time', time], ['peer', 'Peer'], ['calling_ae', 'Calling AE'], ['called_ae', 'Called AE'],
  ['what', 'What'], ['result', 'Result'],
], ((await api('/api/log/associations')) || []).slice(0, 100));

const http = async () => table('http-log', [
  ['time', 'Time', time], ['user', 'User'], ['method', 'Method'], ['path', 'Path'], ['status', 'Status'], ['ms', 'ms'],
], ((await api('/api/log/http')) || []).slice(0, 100));

export async function adminView(main) {
  const parts = [['Statistics', stats], ['Peers', peers], ['Jobs', jobs], ['Recent associations', associations], ['Recent HTTP requests', http]];
  const boxes = parts.map(([title, load]) => {
    const box = el('div', { class: 'box' }, el('p', { class: 'muted' }, 'Loading…'));
    main.append(el('section', { class: 'card admin' },
      el('h3', {}, title, ' ', el('button', { type: 'button', class: 'link', title: 'Refresh', onclick: () => section(box, load) }, '↻')), box));
    return [box, load];
  });
  await Promise.all(boxes.map(([box, load]) => section(box, load)));
  // Jobs are polled while this view is shown.
  const [jobBox] = boxes[2];
  const timer = setInterval(() => section(jobBox, jobs).catch((e) => toast(e.message, true)), POLL_MS);
  return () => clearInterval(timer);
}
