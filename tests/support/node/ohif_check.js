// The OHIF viewer as dicomkit serve hands it out, in Chromium (playwright-core): log in through
// serve's /api/login (the session cookie then authenticates the viewer's DICOMweb requests), open
// a stored study at /viewer?StudyInstanceUIDs=..., wait for an image, scroll through the slices
// (mouse wheel), change the window (left-drag, OHIF's default tool), and save screenshots. Each
// step checks the viewport shows an image (not blank) and that scrolling and the window change it.
// usage: node ohif_check.js BASE_URL USER PASSWORD STUDY_UID OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const [base, user, password, study, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node ohif_check.js BASE_URL USER PASSWORD STUDY_UID OUT_DIR');
  process.exit(2);
}

function fail(message) {
  throw new Error(message);
}

/** Mean and standard deviation of the grey values of a PNG, decoded by the browser itself. */
async function statistics(page, png) {
  const url = 'data:image/png;base64,' + png.toString('base64');
  return page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0, sum = 0, sq = 0;
    for (let i = 0; i < d.length; i += 4) {
      const v = (d[i] + d[i + 1] + d[i + 2]) / 3;
      sum += v;
      sq += v * v;
      n++;
    }
    const mean = sum / n;
    return { mean, sd: Math.sqrt(Math.max(0, sq / n - mean * mean)) };
  }, url);
}

async function shot(page, locator, name) {
  const png = await locator.screenshot();
  fs.writeFileSync(path.join(out, name), png);
  return png;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
  });
  const errors = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    const login = await page.request.post(base + '/api/login', { data: { user, password } });
    if (login.status() !== 200) fail('login: ' + login.status());
    const dicomRequests = [];
    page.on('response', (r) => {
      if (r.url().includes('/dicom-web/')) dicomRequests.push(r.status() + ' ' + r.url().replace(base, ''));
    });
    await page.goto(base + '/viewer?StudyInstanceUIDs=' + study, { waitUntil: 'domcontentloaded' });
    const isolated = await page.evaluate(() => window.crossOriginIsolated);
    if (!isolated) fail('the viewer page is not cross-origin isolated (COOP/COEP)');
    const viewport = page.locator('.cornerstone-viewport-element, [data-viewport-uid]').first();
    await viewport.waitFor({ state: 'visible', timeout: 90000 });
    // The first image: wait until the viewport is not blank.
    let first = null, stats = null;
    for (let i = 0; i < 60; i++) {
      await page.waitForTimeout(1000);
      first = await shot(page, viewport, 'ohif-1-opened.png');
      stats = await statistics(page, first);
      if (stats.sd > 10) break;
    }
    console.log(`opened: mean ${stats.mean.toFixed(1)}, sd ${stats.sd.toFixed(1)}`);
    if (stats.sd <= 10) fail('the viewport stays blank');
    await page.screenshot({ path: path.join(out, 'ohif-0-page.png') });
    // The viewer's first-visit tour and notice would take the mouse: dismissed as a user would.
    for (const name of ['Skip all', 'Confirm and hide']) {
      const b = page.getByText(name, { exact: true });
      if (await b.count()) await b.first().click().catch(() => {});
    }
    await page.waitForTimeout(500);
    first = await shot(page, viewport, 'ohif-1-opened.png');
    // Scroll to another slice.
    const box = await viewport.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 3; i++) {
      await page.mouse.wheel(0, 120);
      await page.waitForTimeout(400);
    }
    await page.waitForTimeout(1500);
    const scrolled = await shot(page, viewport, 'ohif-2-scrolled.png');
    const s2 = await statistics(page, scrolled);
    console.log(`scrolled: mean ${s2.mean.toFixed(1)}, sd ${s2.sd.toFixed(1)}`);
    if (s2.sd <= 10) fail('blank after scrolling');
    if (Buffer.compare(first, scrolled) === 0) fail('scrolling did not change the image');
    // Window/level: drag with the left button (OHIF's default primary tool).
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 150, box.y + box.height / 2 + 100, { steps: 15 });
    await page.mouse.up();
    await page.waitForTimeout(1500);
    const windowed = await shot(page, viewport, 'ohif-3-window.png');
    const s3 = await statistics(page, windowed);
    console.log(`window changed: mean ${s3.mean.toFixed(1)}, sd ${s3.sd.toFixed(1)}`);
    if (Buffer.compare(scrolled, windowed) === 0) fail('dragging did not change the window');
    const failed = dicomRequests.filter((r) => !r.startsWith('200') && !r.startsWith('204'));
    console.log(`${dicomRequests.length} DICOMweb requests, ${failed.length} not 200`);
    for (const r of failed.slice(0, 10)) console.log('  ' + r);
    if (dicomRequests.length === 0) fail('the viewer made no DICOMweb request');
    console.log('ohif: ok');
  } finally {
    if (errors.length) console.log('page errors:\n  ' + errors.slice(0, 10).join('\n  '));
    await browser.close();
  }
})().catch((e) => {
  console.error('FAIL: ' + e.message);
  process.exit(1);
});
