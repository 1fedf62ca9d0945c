// One study: its series and instances with thumbnails, an instance's attributes, viewer, delete, send.
import { api, qido, send, el, text, num, values, personName, dicomDate, enc, toast, may } from './api.js';
import { keyword, formatTag } from './tags.js';

const base = (s, se, i) =>
  `/dicom-web/studies/${enc(s)}${se ? `/series/${enc(se)}` : ''}${i ? `/instances/${enc(i)}` : ''}`;
/// A thumbnail; objects without an image (reports, plans) get a plain box instead.
const thumb = (url, label) => el('img', {
  class: 'thumb', src: `${url}/thumbnail?viewport=128,128`, alt: label, loading: 'lazy', width: 128, height: 128,
  onerror: (ev) => ev.target.replaceWith(el('div', { class: 'thumb none' }, 'no image')),
});

export function viewerLink(study, session) {
  return session.viewerUrl === 'ohif'
    ? `/viewer?StudyInstanceUIDs=${enc(study)}`
    : `/ui/viewer.html?study=${enc(study)}`;
}

function valueText(e) {
  if (!e) return '';
  if (e.BulkDataURI) return '(bulk data)';
  if (e.InlineBinary) return `(binary, ${Math.floor((e.InlineBinary.length * 3) / 4)} bytes)`;
  if (!e.Value) return '';
  return e.Value.map((v) => (v && typeof v === 'object' ? v.Alphabetic ?? JSON.stringify(v) : String(v))).join('\\');
}

/// The attributes of a DICOM JSON object as table rows, sequences' items indented.
function tagRows(obj, depth = 0) {
  const rows = [];
  for (const tag of Object.keys(obj).sort()) {
    const e = obj[tag];
    const indent = { style: `padding-left:${0.4 + depth * 1.2}em` };
    if (e.vr === 'SQ') {
      const items = e.Value || [];
      rows.push(el('tr', { class: 'sq' }, el('td', indent, formatTag(tag)), el('td', {}, keyword(tag)), el('td', {}, 'SQ'),
        el('td', {}, `${items.length} item${items.length === 1 ? '' : 's'}`)));
      items.forEach((item, n) => {
        rows.push(el('tr', { class: 'item' }, el('td', { style: `padding-left:${1 + depth * 1.2}em`, colspan: 4 }, `item ${n + 1}`)));
        rows.push(...tagRows(item, depth + 1));
      });
    } else {
      rows.push(el('tr', {}, el('td', indent, formatTag(tag)), el('td', {}, keyword(tag)), el('td', {}, e.vr || ''),
        el('td', { class: 'value' }, valueText(e))));
    }
  }
  return rows;
}

async function showTags(panel, s, se, i) {
  panel.replaceChildren(el('p', { class: 'muted' }, 'Loading attributes…'));
  const meta = await api(`${base(s, se, i)}/metadata`, { headers: { Accept: 'application/dicom+json' } });
  const obj = Array.isArray(meta) ? meta[0] || {} : meta;
  panel.replaceChildren(el('h3', {}, 'Attributes of instance ', el('code', {}, i)),
    el('table', { class: 'tags', id: 'tags' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Tag'), el('th', {}, 'Keyword'), el('th', {}, 'VR'), el('th', {}, 'Value'))),
      el('tbody', {}, tagRows(obj))));
}

async function remove(path, what) {
  if (!confirm(`Delete ${what}? This cannot be undone.`)) return false;
  try {
    const r = await send('DELETE', path);
    toast(`Deleted ${r && r.deleted != null ? r.deleted : ''} instance(s).`);
    return true;
  } catch (e) {
    toast(`Delete failed: ${e.message}`, true);
    return false;
  }
}

async function showInstances(panel, tags, s, se) {
  panel.replaceChildren(el('p', { class: 'muted' }, 'Loading instances…'));
  const found = (await qido(`${base(s, se)}/instances`, { includefield: ['00280008', '00280010', '00280011'] })) || [];
  found.sort((a, b) => (num(a, '00200013') || 0) - (num(b, '00200013') || 0));
  panel.replaceChildren(el('h3', {}, `${found.length} instance${found.length === 1 ? '' : 's'}`),
    el('div', { class: 'grid', id: 'instances' }, found.map((inst) => {
      const i = text(inst, '00080018');
      const frames = num(inst, '00280008');
      const n = text(inst, '00200013');
      return el('button', { type: 'button', class: 'tile', dataset: { uid: i },
        onclick: (ev) => {
          for (const t of panel.querySelectorAll('.tile')) t.classList.remove('selected');
          ev.currentTarget.classList.add('selected');
          showTags(tags, s, se, i).catch((e) => toast(e.message, true));
        } },
      thumb(base(s, se, i), `instance ${n}`),
      el('span', {}, `#${n || '?'}${frames > 1 ? ` · ${frames} frames` : ''}`));
    })));
}

export async function studyView(main, s, session) {
  const [study] = (await qido('/dicom-web/studies', { StudyInstanceUID: s, includefield: '00081030' })) || [];
  const series = (await qido(`${base(s)}/series`, { includefield: ['0008103E', '00201209'] })) || [];
  series.sort((a, b) => (num(a, '00200011') || 0) - (num(b, '00200011') || 0));

  const tools = el('div', { class: 'buttons' },
    el('a', { class: 'button', id: 'open-viewer', href: viewerLink(s, session), target: '_blank' }, 'Open in viewer'));
  if (may('admin')) {
    const peerSelect = el('select', { id: 'peer' }, el('option', { value: '' }, 'send to…'));
    api('/api/peers').then((peers) => {
      for (const p of peers || []) peerSelect.append(el('option', { value: p.ae }, `${p.ae} (${p.host}:${p.port})`));
    }).catch(() => {});
    tools.append(peerSelect,
      el('button', { type: 'button', class: 'secondary', onclick: async () => {
        if (!peerSelect.value) return toast('Choose a peer first.', true);
        try {
          const job = await send('POST', '/api/jobs', { type: 'send', peer: peerSelect.value, study: s });
          toast(`Job ${job.id} queued: sending to ${peerSelect.value}.`);
        } catch (e) { toast(`Send failed: ${e.message}`, true); }
      } }, 'Send'),
      el('button', { type: 'button', class: 'danger', onclick: async () => {
        if (await remove(`/api/studies/${enc(s)}`, 'this study')) location.hash = '#/studies';
      } }, 'Delete study'));
  }

  const instances = el('section', { class: 'instances' });
  const tags = el('section', { class: 'tagpanel' });
  const header = study
    ? [el('h2', {}, personName(text(study, '00100010')) || '(no name)', ' ', el('span', { class: 'muted' }, text(study, '00100020'))),
      el('p', {}, [dicomDate(text(study, '00080020')), text(study, '00081030'), text(study, '00080050') && `accession ${text(study, '00080050')}`]
        .filter(Boolean).join(' · '))]
    : [el('h2', {}, 'Study'), el('p', { class: 'muted' }, s)];
  main.append(el('div', { class: 'card studyhead' }, el('div', {}, header), tools),
    el('h3', {}, `${series.length} series`),
    el('div', { class: 'grid', id: 'series' }, series.map((ser) => {
      const se = text(ser, '0020000E');
      const tile = el('button', { type: 'button', class: 'tile', dataset: { uid: se },
        onclick: () => {
          for (const t of main.querySelectorAll('#series .tile')) t.classList.remove('selected');
          tile.classList.add('selected');
          tags.replaceChildren();
          showInstances(instances, tags, s, se).catch((e) => toast(e.message, true));
        } },
      thumb(base(s, se), text(ser, '0008103E')),
      el('span', {}, `${text(ser, '00080060')} #${text(ser, '00200011')} ${text(ser, '0008103E')}`),
      el('span', { class: 'muted' }, `${num(ser, '00201209') || 0} instances`));
      return tile;
    })),
    instances, tags);
  if (may('admin') && series.length) {
    tools.append(el('button', { type: 'button', class: 'danger', onclick: async () => {
      const sel = main.querySelector('#series .tile.selected');
      if (!sel) return toast('Select a series first.', true);
      if (await remove(`/api/studies/${enc(s)}/series/${enc(sel.dataset.uid)}`, 'this series')) location.reload();
    } }, 'Delete series'));
  }
  if (values(series[0] || {}, '0020000E').length) main.querySelector('#series .tile').click();
  return null;
}
