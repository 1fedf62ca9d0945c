// The study list: QIDO-RS search, paging with "More", sorting by a column.
import { qido, el, text, num, personName, dicomDate, enc, toast } from './api.js';

const MODALITIES = ['', 'CT', 'MR', 'CR', 'DX', 'MG', 'US', 'PT', 'NM', 'XA', 'RF', 'OT', 'SC', 'SR', 'SEG', 'RTSTRUCT', 'RTPLAN', 'RTDOSE'];
const COLUMNS = [
  ['name', 'Patient name'], ['id', 'Patient ID'], ['date', 'Date'], ['description', 'Description'],
  ['modalities', 'Modalities'], ['series', 'Series'], ['instances', 'Instances'],
];

// Kept between visits, so that going back to the list shows the same search.
const state = { form: { limit: '50' }, rows: [], offset: 0, more: false, sort: null, asc: true, searched: false };

function row(study) {
  return {
    uid: text(study, '0020000D'),
    name: personName(text(study, '00100010')),
    id: text(study, '00100020'),
    date: text(study, '00080020'),
    description: text(study, '00081030'),
    modalities: text(study, '00080061').replaceAll('\\', ', '),
    series: num(study, '00201206'),
    instances: num(study, '00201208'),
  };
}

function wildcard(v) {
  v = v.trim();
  return v && !/[*?]/.test(v) ? `${v}*` : v;
}

function query(f, offset) {
  const from = (f.from || '').replaceAll('-', '');
  const to = (f.to || '').replaceAll('-', '');
  return {
    PatientName: wildcard(f.name || ''),
    PatientID: (f.id || '').trim(),
    StudyDate: from || to ? (from === to ? from : `${from}-${to}`) : '',
    ModalitiesInStudy: f.modality || '',
    AccessionNumber: (f.accession || '').trim(),
    includefield: ['00081030', '00201206', '00201208', '00080061'],
    limit: f.limit || '50',
    offset: offset ? String(offset) : '',
    fuzzymatching: f.name && !/[*?]/.test(f.name) ? 'true' : '',
  };
}

export async function studiesView(main) {
  const field = (name, label, props = {}) =>
    el('label', {}, label, el('input', { name, value: state.form[name] || '', ...props }));
  const form = el('form', { class: 'search card', id: 'search' },
    field('name', 'Patient name', { placeholder: 'DOE^J*' }),
    field('id', 'Patient ID'),
    field('from', 'From', { type: 'date' }),
    field('to', 'To', { type: 'date' }),
    el('label', {}, 'Modality', el('select', { name: 'modality' },
      MODALITIES.map((m) => el('option', { value: m, selected: state.form.modality === m }, m || 'any')))),
    field('accession', 'Accession'),
    el('label', {}, 'Per page', el('select', { name: 'limit' },
      ['25', '50', '100', '200'].map((n) => el('option', { value: n, selected: state.form.limit === n }, n)))),
    el('div', { class: 'buttons' },
      el('button', { type: 'submit' }, 'Search'),
      el('button', { type: 'button', class: 'secondary', onclick: () => { state.form = { limit: state.form.limit }; form.reset(); for (const i of form.querySelectorAll('input')) i.value = ''; } }, 'Clear')));
  const status = el('p', { class: 'muted', id: 'study-count' });
  const table = el('table', { class: 'list', id: 'studies' });
  const more = el('button', { type: 'button', class: 'secondary', id: 'more', hidden: true }, 'More');
  main.append(form, status, table, more);

  const render = () => {
    const rows = [...state.rows];
    if (state.sort) {
      const k = state.sort;
      rows.sort((a, b) => {
        const x = a[k], y = b[k];
        const c = typeof x === 'number' ? (x || 0) - (y || 0) : String(x).localeCompare(String(y));
        return state.asc ? c : -c;
      });
    }
    const head = el('tr', {}, COLUMNS.map(([k, label]) => el('th', {
      class: `sortable${state.sort === k ? (state.asc ? ' asc' : ' desc') : ''}`,
      onclick: () => { state.asc = state.sort === k ? !state.asc : true; state.sort = k; render(); },
    }, label)));
    const body = rows.map((r) => el('tr', { class: 'link', dataset: { uid: r.uid }, onclick: () => { location.hash = `#/study/${enc(r.uid)}`; } },
      el('td', {}, el('a', { href: `#/study/${enc(r.uid)}` }, r.name || '(no name)')),
      el('td', {}, r.id), el('td', {}, dicomDate(r.date)), el('td', {}, r.description),
      el('td', {}, r.modalities), el('td', { class: 'num' }, Number.isFinite(r.series) ? r.series : ''),
      el('td', { class: 'num' }, Number.isFinite(r.instances) ? r.instances : '')));
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, body));
    status.textContent = state.searched
      ? `${state.rows.length} ${state.rows.length === 1 ? 'study' : 'studies'}${state.more ? ' shown, more available' : ''}`
      : '';
    more.hidden = !state.more;
  };

  const load = async (append) => {
    const offset = append ? state.rows.length : 0;
    try {
      const found = (await qido('/dicom-web/studies', query(state.form, offset))) || [];
      const rows = (Array.isArray(found) ? found : []).map(row);
      state.rows = append ? state.rows.concat(rows) : rows;
      state.more = rows.length >= Number(state.form.limit || 50);
      state.searched = true;
      render();
    } catch (e) {
      if (e.status !== 401) toast(`Search failed: ${e.message}`, true);
    }
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.form = Object.fromEntries(new FormData(form));
    load(false);
  });
  more.addEventListener('click', () => load(true));
  render();
  await load(false);
  return null;
}
