// Requests to the server and helpers for DICOM JSON (PS3.18 F) and the DOM.

export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/// fetch on the same origin; JSON answers are parsed, others returned as the Response.
/// A 401 (outside login) tells the page to show its login form.
export async function api(path, options = {}) {
  const r = await fetch(path, { credentials: 'same-origin', ...options });
  if (!r.ok) {
    let message = `${r.status} ${r.statusText}`;
    try {
      const j = await r.json();
      if (j && j.error) message = j.error;
    } catch { /* not JSON */ }
    if (r.status === 401 && !path.startsWith('/api/login') && !path.startsWith('/api/me')) {
      window.dispatchEvent(new Event('dk-unauthorized'));
    }
    throw new HttpError(r.status, message);
  }
  if (r.status === 204) return null;
  const type = r.headers.get('content-type') || '';
  return type.includes('json') ? r.json() : r;
}

export function send(method, path, body) {
  return api(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/// QIDO-RS: path and parameters (empty ones left out).
export function qido(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of [].concat(v)) if (one !== '' && one != null) q.append(k, one);
  }
  const s = q.toString();
  return api(s ? `${path}?${s}` : path, { headers: { Accept: 'application/dicom+json' } });
}

// DICOM JSON values.
export const values = (obj, tag) => (obj && obj[tag] && obj[tag].Value) || [];
export function text(obj, tag) {
  return values(obj, tag)
    .map((v) => (v && typeof v === 'object' ? v.Alphabetic || '' : String(v)))
    .join('\\');
}
export const num = (obj, tag) => {
  const v = values(obj, tag)[0];
  return v === undefined || v === '' ? NaN : Number(v);
};
export const personName = (s) => s.replace(/\^+/g, ' ').trim();
export const dicomDate = (d) => (/^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d);
export const enc = encodeURIComponent;

/// el('a', {href, class, onclick}, children...): a DOM element.
export function el(name, props = {}, ...children) {
  const e = document.createElement(name);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k in e && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

export function toast(message, isError = false) {
  const t = document.getElementById('toast');
  if (!t) return;
  t.textContent = message;
  t.className = isError ? 'error' : '';
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, isError ? 8000 : 4000);
}

export const bytes = (n) => {
  if (!Number.isFinite(n)) return '';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
};

/// The signed-in user, their role and which viewer "Open in viewer" goes to.
export const session = { user: null, role: null, viewerUrl: null };
const RANK = { read: 1, write: 2, admin: 3 };
export const may = (role) => (RANK[session.role] || 0) >= RANK[role];
