// The built-in viewer: one rendered frame at a time (WADO-RS rendered, PS3.18 8.3.5), scrolling,
// window/level by dragging, zoom.
import { api, qido, el, text, num, enc, dicomDate, personName } from './api.js';

const study = new URLSearchParams(location.search).get('study') || '';
const stage = document.getElementById('stage');
const img = document.getElementById('image');
const info = document.getElementById('info');
const winBox = document.getElementById('window');
const indexBox = document.getElementById('index');
const message = document.getElementById('message');
const list = document.getElementById('series-list');

const view = { series: '', frames: [], k: 0, center: NaN, width: NaN, zoom: 1 };
let wanted = '', loading = '';

const base = (se, i) => `/dicom-web/studies/${enc(study)}/series/${enc(se)}${i ? `/instances/${enc(i)}` : ''}`;

function viewport() {
  const dpr = window.devicePixelRatio || 1;
  return [Math.max(64, Math.round(stage.clientWidth * dpr)), Math.max(64, Math.round(stage.clientHeight * dpr))];
}

function frameUrl(k) {
  const f = view.frames[k];
  const [w, h] = viewport();
  let url = `${base(view.series, f.instance)}/frames/${f.frame}/rendered?viewport=${w},${h}`;
  if (Number.isFinite(view.center) && Number.isFinite(view.width)) {
    url += `&window=${Math.round(view.center)},${Math.max(1, Math.round(view.width))},linear`;
  }
  return url;
}

/// Loads the wanted image; one request at a time, the newest wish wins (smooth dragging).
function request() {
  if (!view.frames.length) return;
  wanted = frameUrl(view.k);
  if (loading) return;
  loading = wanted;
  const next = new Image();
  next.onload = () => {
    img.src = next.src;
    img.dataset.loaded = loading;
    layout(next.naturalWidth, next.naturalHeight);
    const done = loading;
    loading = '';
    if (wanted !== done) request();
    else prefetch();
  };
  next.onerror = () => {
    message.textContent = 'This image could not be rendered.';
    loading = '';
  };
  message.textContent = '';
  next.src = loading;
}

function prefetch() {
  for (const d of [1, -1, 2]) {
    const k = view.k + d;
    if (k >= 0 && k < view.frames.length) new Image().src = frameUrl(k);
  }
}

function layout(w, h) {
  const dpr = window.devicePixelRatio || 1;
  img.style.width = `${w / dpr}px`;
  img.style.height = `${h / dpr}px`;
  img.style.transform = `translate(-50%, -50%) scale(${view.zoom})`;
}

function overlay() {
  const f = view.frames[view.k];
  if (!f) return;
  indexBox.textContent = `image ${view.k + 1} / ${view.frames.length}\ninstance #${f.number}${f.count > 1 ? `, frame ${f.frame} / ${f.count}` : ''}`;
  winBox.textContent = Number.isFinite(view.center)
    ? `W ${Math.round(view.width)}  C ${Math.round(view.center)}\nzoom ${Math.round(view.zoom * 100)}%`
    : `window: as stored\nzoom ${Math.round(view.zoom * 100)}%`;
}

function go(k) {
  k = Math.max(0, Math.min(view.frames.length - 1, k));
  if (k === view.k && img.dataset.loaded) return;
  view.k = k;
  overlay();
  request();
}

function zoom(factor) {
  view.zoom = Math.max(0.1, Math.min(16, view.zoom * factor));
  img.style.transform = `translate(-50%, -50%) scale(${view.zoom})`;
  overlay();
}

/// The first window of the series' first instance; NaN when it has none (the server's default
/// is shown then). `start` is where dragging begins without one: soft tissue for CT, the range
/// of the stored bits otherwise.
async function initialWindow(se, i) {
  try {
    const meta = await api(`${base(se, i)}/metadata`, { headers: { Accept: 'application/dicom+json' } });
    const m = Array.isArray(meta) ? meta[0] : meta;
    const c = num(m, '00281050'), w = num(m, '00281051');
    if (Number.isFinite(c) && Number.isFinite(w) && w > 0) return { window: [c, w], start: [c, w] };
    if (text(m, '00080060') === 'CT') return { window: [NaN, NaN], start: [40, 400] };
    const bits = num(m, '00280101') || 8;
    const signed = num(m, '00280103') === 1;
    const slope = Number.isFinite(num(m, '00281053')) ? num(m, '00281053') : 1;
    const icpt = Number.isFinite(num(m, '00281052')) ? num(m, '00281052') : 0;
    const lo = signed ? -(2 ** (bits - 1)) : 0, hi = lo + 2 ** bits - 1;
    return { window: [NaN, NaN], start: [((lo + hi) / 2) * slope + icpt, (hi - lo) * Math.abs(slope)] };
  } catch {
    return { window: [NaN, NaN], start: [128, 256] };
  }
}

async function openSeries(se, button) {
  for (const b of list.querySelectorAll('button')) b.classList.toggle('selected', b === button);
  const found = (await qido(`${base(se)}/instances`, { includefield: '00280008' })) || [];
  found.sort((a, b) => (num(a, '00200013') || 0) - (num(b, '00200013') || 0));
  view.series = se;
  view.frames = [];
  for (const inst of found) {
    const count = Math.max(1, num(inst, '00280008') || 1);
    for (let f = 1; f <= count; f++) {
      view.frames.push({ instance: text(inst, '00080018'), number: text(inst, '00200013'), frame: f, count });
    }
  }
  view.k = 0;
  img.removeAttribute('data-loaded');
  if (!view.frames.length) { message.textContent = 'No instances in this series.'; return; }
  const w = await initialWindow(se, view.frames[0].instance);
  [view.center, view.width] = w.window;
  view.initial = w.window;
  view.start = w.start;
  overlay();
  request();
  stage.focus();
}

// Window/level: drag with the left or right button; horizontal = width, vertical = center.
let drag = null;
stage.addEventListener('contextmenu', (ev) => ev.preventDefault());
stage.addEventListener('mousedown', (ev) => {
  if (ev.button !== 0 && ev.button !== 2) return;
  if (!Number.isFinite(view.center)) [view.center, view.width] = view.start || [128, 256];
  drag = { x: ev.clientX, y: ev.clientY, c: view.center, w: view.width };
  ev.preventDefault();
});
window.addEventListener('mousemove', (ev) => {
  if (!drag) return;
  const step = Math.max(0.5, drag.w / 400);
  view.width = Math.max(1, drag.w + (ev.clientX - drag.x) * step);
  view.center = drag.c + (ev.clientY - drag.y) * step;
  overlay();
  request();
});
window.addEventListener('mouseup', () => { drag = null; });

stage.addEventListener('wheel', (ev) => {
  ev.preventDefault();
  if (ev.ctrlKey) zoom(ev.deltaY < 0 ? 1.1 : 1 / 1.1);
  else go(view.k + (ev.deltaY > 0 ? 1 : -1));
}, { passive: false });

window.addEventListener('keydown', (ev) => {
  const keys = {
    ArrowDown: () => go(view.k + 1), ArrowRight: () => go(view.k + 1), PageDown: () => go(view.k + 10),
    ArrowUp: () => go(view.k - 1), ArrowLeft: () => go(view.k - 1), PageUp: () => go(view.k - 10),
    Home: () => go(0), End: () => go(view.frames.length - 1),
    '+': () => zoom(1.25), '=': () => zoom(1.25), '-': () => zoom(0.8),
    0: () => { view.zoom = 1; [view.center, view.width] = view.initial || [NaN, NaN]; overlay(); request(); },
  };
  if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
});

let resizeTimer = 0;
window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(request, 200); });

async function start() {
  if (!study) { message.textContent = 'No study given (viewer.html?study=UID).'; return; }
  let series;
  try {
    series = (await qido(`/dicom-web/studies/${enc(study)}/series`, { includefield: ['0008103E', '00201209'] })) || [];
  } catch (e) {
    message.replaceChildren(e.status === 401 ? el('span', {}, 'Please ', el('a', { href: '/' }, 'log in'), ' first.') : e.message);
    return;
  }
  series.sort((a, b) => (num(a, '00200011') || 0) - (num(b, '00200011') || 0));
  const [first] = await qido('/dicom-web/studies', { StudyInstanceUID: study }).catch(() => []) || [];
  info.textContent = first ? `${personName(text(first, '00100010'))}  ${text(first, '00100020')}\n${dicomDate(text(first, '00080020'))}` : '';
  for (const s of series) {
    const se = text(s, '0020000E');
    const b = el('button', { type: 'button', dataset: { uid: se }, onclick: () => openSeries(se, b).catch((e) => { message.textContent = e.message; }) },
      el('img', { src: `${base(se)}/thumbnail?viewport=128,128`, alt: '', loading: 'lazy', onerror: (ev) => { ev.target.hidden = true; } }),
      `${text(s, '00080060')} #${text(s, '00200011')}`, el('br'), text(s, '0008103E'));
    list.append(b);
  }
  if (!series.length) { message.textContent = 'This study has no series.'; return; }
  // Open the series with the most instances first (usually the images).
  const most = series.reduce((a, b) => ((num(b, '00201209') || 0) > (num(a, '00201209') || 0) ? b : a), series[0]);
  const button = [...list.querySelectorAll('button')].find((b) => b.dataset.uid === text(most, '0020000E'));
  await openSeries(text(most, '0020000E'), button);
}
start();
