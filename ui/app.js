// The page: login, navigation between the views (location hash), the signed-in user.
import { api, send, toast, session, may } from './api.js';
import { studiesView } from './studies.js';
import { studyView } from './study.js';
import { uploadView } from './upload.js';
import { adminView } from './admin.js';


const main = document.getElementById('main');
const loginForm = document.getElementById('login');
let leave = null;  // the current view's clean-up (timers)

function showLogin() {
  session.user = session.role = null;
  document.getElementById('nav').hidden = true;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  if (leave) leave();
  leave = null;
  main.replaceChildren();
  loginForm.hidden = false;
  loginForm.user.focus();
}

function signedIn(me) {
  session.user = me.user;
  session.role = me.role;
  loginForm.hidden = true;
  document.getElementById('who').textContent = `${me.user} (${me.role})`;
  document.getElementById('logout').hidden = false;
  const nav = document.getElementById('nav');
  nav.hidden = false;
  for (const a of nav.querySelectorAll('[data-role]')) a.hidden = !may(a.dataset.role);
  route();
}

async function route() {
  if (!session.user) return;
  if (leave) leave();
  leave = null;
  const [, view, ...rest] = (location.hash || '#/studies').split('/');
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.view === view || (view === 'study' && a.dataset.view === 'studies'));
  }
  main.replaceChildren();
  try {
    if (view === 'study' && rest[0]) leave = await studyView(main, decodeURIComponent(rest[0]), session);
    else if (view === 'upload') leave = await uploadView(main, session);
    else if (view === 'admin' && may('admin')) leave = await adminView(main, session);
    else leave = await studiesView(main, session);
  } catch (e) {
    if (e.status !== 401) toast(e.message, true);
  }
}

loginForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const err = document.getElementById('login-error');
  err.textContent = '';
  try {
    const me = await send('POST', '/api/login', { user: loginForm.user.value, password: loginForm.password.value });
    loginForm.password.value = '';
    signedIn(me);
  } catch (e) {
    err.textContent = e.status === 401 ? 'Wrong user or password.' : e.message;
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  try { await send('POST', '/api/logout'); } catch { /* logged out anyway */ }
  showLogin();
});

window.addEventListener('hashchange', route);
window.addEventListener('dk-unauthorized', showLogin);

async function start() {
  // An OHIF viewer under /viewer/ when installed; the built-in one otherwise.
  const viewer = fetch('/viewer/', { method: 'HEAD', credentials: 'same-origin' })
    .then((r) => { session.viewerUrl = r.ok ? 'ohif' : 'builtin'; })
    .catch(() => { session.viewerUrl = 'builtin'; });
  try {
    const me = await api('/api/me');
    await viewer;
    signedIn(me);
  } catch (e) {
    if (e.status === 401) showLogin();
    else main.textContent = `The server did not answer: ${e.message}`;
  }
}
start();
