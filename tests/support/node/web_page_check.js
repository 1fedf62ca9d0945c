// The web page in Chromium (playwright-core driving Debian's /usr/bin/chromium): login, search,
// a study's series and instances with thumbnails, the attributes of an instance, the built-in
// viewer (scrolling, window, zoom), upload through the file input and by drag and drop, paging,
// deletion, administration, logout.
// Screenshots go to OUT_DIR; the images shown are checked not to be blank (pixel standard
// deviation drawn through a canvas). Exits 0 when every check passed, 1 otherwise.
// usage: node web_page_check.js BASE_URL USER PASSWORD OUT_DIR PATIENT_NAME SERIES_SIZE UPLOAD_FILE
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const [base, user, password, outDir, patient, seriesSize, uploadFile] = process.argv.slice(2);
const CHROMIUM = process.env.DICOMKIT_CHROMIUM || '/usr/bin/chromium';
const T = 20000;
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}`);
  if (!ok) failures++;
};

/// Mean and standard deviation of the luminance of an <img>, drawn into a canvas.
const pixelStats = (page, selector) => page.$eval(selector, (img) => {
  const c = document.createElement('canvas');
  c.width = img.naturalWidth;
  c.height = img.naturalHeight;
  if (!c.width || !c.height) return { w: 0, h: 0, mean: 0, sd: 0 };
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let sum = 0, sq = 0;
  const n = d.length / 4;
  for (let i = 0; i < d.length; i += 4) {
    const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    sum += y;
    sq += y * y;
  }
  const mean = sum / n;
  return { w: c.width, h: c.height, mean, sd: Math.sqrt(Math.max(0, sq / n - mean * mean)) };
});
const loaded = (page, selector) => page.waitForFunction(
  (sel) => [...document.querySelectorAll(sel)].length > 0 && [...document.querySelectorAll(sel)].every((i) => i.complete && i.naturalWidth > 0),
  selector, { timeout: T });

function watch(page, name, errors) {
  page.on('pageerror', (e) => errors.push(`${name}: script error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`${name}: console: ${m.text()}`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    const expected = (u.pathname === '/api/me' && r.status() === 401) || u.pathname.startsWith('/viewer/') ||
      (u.pathname === '/api/login' && r.status() === 401) ||
      // A part of the REST API this server does not offer: the page says so (checked below).
      (r.status() === 501 && u.pathname.startsWith('/api/')) ||
      // STOW-RS of a file that is not DICOM (uploaded on purpose): all parts failed.
      (r.status() === 409 && r.request().method() === 'POST' && u.pathname === '/dicom-web/studies') ||
      // An import of a medium that is not there (on purpose).
      (r.status() === 404 && r.request().method() === 'POST' && u.pathname === '/api/jobs');
    if (r.status() >= 400 && !expected) errors.push(`${name}: HTTP ${r.status()} for ${r.request().method()} ${u.pathname}${u.search}`);
  });
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'], timeout: 60000 });
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const errors = [];
  const page = await context.newPage();
  page.setDefaultTimeout(T);
  watch(page, 'page', errors);
  const shot = (p, name) => p.screenshot({ path: path.join(outDir, name) });

  // Login: the form first, a wrong password refused, then the right one.
  await page.goto(`${base}/`);
  await page.waitForSelector('#login:not([hidden])');
  await shot(page, '01-login.png');
  await page.fill('#login [name=user]', user);
  await page.fill('#login [name=password]', `${password}-wrong`);
  await page.click('#login button[type=submit]');
  await page.waitForFunction(() => document.getElementById('login-error').textContent !== '');
  check(await page.isVisible('#login'), 'a wrong password keeps the login form');
  await page.fill('#login [name=password]', password);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#nav:not([hidden])');
  check((await page.textContent('#who')).includes(user), 'logged in, the user shown');

  // Search by patient name (a prefix, lower case), then sort by a column.
  const prefix = patient.slice(0, 3).toLowerCase();
  await page.fill('#search [name=name]', prefix);
  await page.click('#search button[type=submit]');
  await page.waitForFunction((p) => [...document.querySelectorAll('#studies tbody tr')].some((r) => r.textContent.toLowerCase().includes(p)), prefix);
  const rows = await page.$$eval('#studies tbody tr', (r) => r.map((x) => x.textContent));
  check(rows.length >= 1 && rows.every((r) => r.toLowerCase().includes(prefix)), `search "${prefix}": ${rows.length} studies, all matching`);
  await page.click('#studies th:nth-child(3)');
  check(await page.$eval('#studies th:nth-child(3)', (th) => th.classList.contains('asc')), 'sorted by date');
  await shot(page, '02-studies.png');

  // The study: series thumbnails, instances of the first series, the attributes of one.
  const row = await page.$(`#studies tbody tr:has-text("${patient.split('^')[0]}")`);
  await row.click();
  await page.waitForSelector('#series .tile');
  await loaded(page, '#series img');
  await page.waitForFunction((n) => document.querySelectorAll('#instances .tile').length === n, Number(seriesSize));
  await loaded(page, '#instances img');
  const thumb = await pixelStats(page, '#instances .tile img');
  check(thumb.w > 0 && thumb.sd > 5, `instance thumbnail ${thumb.w}x${thumb.h}, standard deviation ${thumb.sd.toFixed(1)}`);
  await page.click('#instances .tile');
  await page.waitForSelector('#tags tbody tr');
  const tagText = await page.textContent('#tags');
  check(tagText.includes('PatientName') && tagText.includes('(0010,0010)'), 'the attributes of an instance, with keywords');
  await shot(page, '03-study.png');

  // The built-in viewer.
  const href = await page.getAttribute('#open-viewer', 'href');
  // The built-in viewer, or OHIF's route when serve has it installed; the built-in one is tested.
  check(href.startsWith('/ui/viewer.html?study=') || href.startsWith('/viewer?StudyInstanceUIDs='), `open in viewer: ${href}`);
  const linked = new URL(href, base).searchParams;
  const studyUid = linked.get('study') || linked.get('StudyInstanceUIDs') || '';
  const viewer = await context.newPage();
  viewer.setDefaultTimeout(T);
  watch(viewer, 'viewer', errors);
  await viewer.goto(`${base}/ui/viewer.html?study=${encodeURIComponent(studyUid)}`);
  await viewer.waitForSelector('#image[data-loaded]');
  const first = await pixelStats(viewer, '#image');
  check(first.w > 0 && first.sd > 5, `viewer image ${first.w}x${first.h}, standard deviation ${first.sd.toFixed(1)}`);
  check((await viewer.textContent('#index')).startsWith(`image 1 / ${seriesSize}`), `index: ${await viewer.textContent('#index')}`);
  await shot(viewer, '04-viewer.png');
  const waitImage = (k) => viewer.waitForFunction((k) => document.getElementById('index').textContent.startsWith(`image ${k} `) &&
    document.getElementById('image').dataset.loaded === document.getElementById('image').getAttribute('src')?.replace(location.origin, '') , k);
  await viewer.keyboard.press('ArrowDown');
  await waitImage(2).catch(() => {});
  check((await viewer.textContent('#index')).startsWith('image 2 '), 'arrow down: the next image');
  await viewer.mouse.move(700, 400);
  await viewer.mouse.wheel(0, 120);
  await viewer.waitForFunction(() => document.getElementById('index').textContent.startsWith('image 3 '));
  check(true, 'wheel: the next image');
  const src3 = await viewer.getAttribute('#image', 'data-loaded');
  // Window: drag to a narrow window; the image and the window shown change.
  const before = await pixelStats(viewer, '#image');
  const winBefore = await viewer.textContent('#window');
  await viewer.mouse.move(700, 400);
  await viewer.mouse.down();
  await viewer.mouse.move(550, 330, { steps: 8 });
  await viewer.mouse.up();
  await viewer.waitForFunction((s) => { const i = document.getElementById('image'); return i.dataset.loaded !== s && i.dataset.loaded.includes('window='); }, src3);
  await viewer.waitForFunction(() => { const i = document.getElementById('image'); return i.complete && i.src.endsWith(i.dataset.loaded); });
  const after = await pixelStats(viewer, '#image');
  const winAfter = await viewer.textContent('#window');
  check(winAfter !== winBefore && /W \d+\s+C -?\d+/.test(winAfter), `window shown: "${winBefore.split('\n')[0]}" -> "${winAfter.split('\n')[0]}"`);
  check(Math.abs(after.mean - before.mean) > 1 || Math.abs(after.sd - before.sd) > 1,
    `the image changed with the window (mean ${before.mean.toFixed(1)} -> ${after.mean.toFixed(1)}, sd ${before.sd.toFixed(1)} -> ${after.sd.toFixed(1)})`);
  check(after.sd > 5, 'the windowed image is not blank');
  await viewer.keyboard.press('+');
  check((await viewer.textContent('#window')).includes('zoom 125%'), 'zoom with +');
  await shot(viewer, '05-viewer-window.png');
  await viewer.close();

  // Upload through the file input.
  await page.click('#nav a[data-view=upload]');
  await page.waitForSelector('#file-input', { state: 'attached' });
  await page.setInputFiles('#file-input', uploadFile);
  await page.waitForFunction(() => /stored|failed/.test(document.querySelector('#uploads tbody td.result')?.textContent || ''));
  const result = await page.textContent('#uploads tbody td.result');
  check(result === 'stored', `upload ${path.basename(uploadFile)}: ${result}`);
  // A file that is not DICOM: refused, and said so.
  const junk = path.join(outDir, 'not-dicom.txt');
  require('fs').writeFileSync(junk, 'this is not a DICOM file\n');
  await page.setInputFiles('#file-input', junk);
  await page.waitForFunction(() => document.querySelectorAll('#uploads tbody tr').length === 2 &&
    /stored|failed/.test(document.querySelector('#uploads tbody td.result').textContent));
  const refused = await page.textContent('#uploads tbody td.result');
  check(refused.startsWith('failed'), `upload of a text file: ${refused}`);
  await shot(page, '06-upload.png');

  // The uploaded study found by modality, then deleted (an administrator's button, confirmed).
  await page.click('#nav a[data-view=studies]');
  await page.click('#search button[type=button]');  // Clear
  // Paging: one study a page (an option added for the test), "More" fetches the next by offset.
  await page.$eval('#search [name=limit]', (sel) => sel.add(new Option('1', '1')));
  await page.selectOption('#search [name=limit]', '1');
  await page.click('#search button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#studies tbody tr').length === 1 && !document.getElementById('more').hidden);
  await page.click('#more');
  await page.waitForFunction(() => document.querySelectorAll('#studies tbody tr').length === 2);
  const paged = await page.$$eval('#studies tbody tr', (r) => r.map((x) => x.dataset.uid));
  check(new Set(paged).size === 2, 'paging with More: two different studies, one a page');
  await page.click('#more');
  await page.waitForFunction(() => document.getElementById('more').hidden);
  check((await page.$$('#studies tbody tr')).length === 2, 'paging: More disappears after the last study');
  await page.selectOption('#search [name=modality]', 'MR');
  await page.$eval('#search [name=limit]', (sel) => { sel.value = '50'; });
  await page.click('#search button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#studies tbody tr').length === 1 &&
    document.querySelector('#studies tbody tr td:nth-child(5)').textContent.includes('MR'));
  check(true, 'search by modality MR: the uploaded study only');
  await page.click('#studies tbody tr');
  await page.waitForSelector('#series .tile');
  page.once('dialog', (d) => d.accept());
  await page.click('button.danger:has-text("Delete study")');
  await page.waitForFunction(() => location.hash === '#/studies');
  await page.waitForFunction(() => document.querySelectorAll('#studies tbody tr').length === 0);
  check(true, 'the uploaded study deleted: no MR study left');

  // Upload again by dropping the file on the drop zone (a DataTransfer made in the page).
  await page.click('#nav a[data-view=upload]');
  await page.waitForSelector('#drop');
  const bytes = require('fs').readFileSync(uploadFile).toString('base64');
  await page.evaluate(([b64, name]) => {
    const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([raw], name, { type: 'application/dicom' }));
    const drop = document.getElementById('drop');
    drop.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    drop.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [bytes, path.basename(uploadFile)]);
  await page.waitForFunction(() => /stored|failed/.test(document.querySelector('#uploads tbody td.result')?.textContent || ''));
  check(await page.textContent('#uploads tbody td.result') === 'stored', 'drag and drop upload: stored');

  // Administration: the statistics count what was stored.
  await page.click('#nav a[data-view=admin]');
  await page.waitForSelector('#stats');
  const stats = await page.textContent('#stats');
  check(/Instances\s*(\d+)/.test(stats) && Number(/Instances\s*(\d+)/.exec(stats)[1]) === Number(seriesSize) + 1, `statistics: ${stats.replace(/\s+/g, ' ')}`);
  for (const part of ['peers', 'jobs', 'worklist', 'associations', 'http-log', 'conformance']) {
    await page.waitForSelector(`#${part}, #${part}-unavailable`);
    check(await page.isVisible(`#${part}`) || await page.isVisible(`#${part}-unavailable`),
      `administration: ${part}${await page.isVisible(`#${part}-unavailable`) ? ' (not available on this server)' : ''}`);
  }
  check(await page.isVisible('#http-log'), 'administration: the HTTP log is shown');
  if (await page.isVisible('#jobs')) {
    // An import of a path that is not there: the server's refusal is shown beside the form.
    await page.fill('#import-path', '/nonexistent-medium/DICOMDIR');
    await page.click('#import-form button[type=submit]');
    await page.waitForFunction(() => !/^\s*(…)?$/.test(document.querySelector('#import-form span')?.textContent || ''));
    const said = await page.textContent('#import-form span');
    check(/No such file|started/.test(said), `administration: import form answers: ${said.trim()}`);
  }
  if (await page.isVisible('#conformance')) {
    const conf = await page.textContent('#conformance');
    check(/QIDO-RS/.test(conf) && /HTTP port/.test(conf), `administration: the conformance of the server: ${conf.slice(0, 80)}`);
  }
  await shot(page, '07-admin.png');

  await page.click('#logout');
  await page.waitForSelector('#login:not([hidden])');
  check(true, 'logged out');
  for (const e of errors) check(false, e);
  await browser.close();
}

main().then(() => {
  console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
  process.exit(failures ? 1 : 0);
}, (e) => {
  console.log(`FAIL: ${e.stack || e}`);
  process.exit(1);
});
