// STOW-RS client of bench/web/run.sh: posts every Part 10 file of a folder to BASE/studies, BATCH
// files a request (one multipart/related body each), CONCURRENCY requests at a time on keep-alive
// connections; every answer must be 200. Prints one line:
//   stow: N instances in S s, R instances/s (Q requests, p50 MS ms, p95 MS ms)
// usage: node stow.js BASE DIR [CONCURRENCY=4] [BATCH=1]   environment: TOKEN (Authorization: Bearer)
'use strict';
const fs = require('fs');
const path = require('path');
const http = require('http');

const [base, dir, concurrencyArg, batchArg] = process.argv.slice(2);
if (!base || !dir) {
  console.error('usage: node stow.js BASE DIR [CONCURRENCY] [BATCH]');
  process.exit(2);
}
const concurrency = Number(concurrencyArg || 4);
const batch = Number(batchArg || 1);
const url = new URL(base.replace(/\/$/, '') + '/studies');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.dcm')).sort();
const boundary = 'stowbench0123456789';

// The bodies are made before the clock starts: the figure is the servers', not the file reads.
const bodies = [];
for (let i = 0; i < files.length; i += batch) {
  const parts = [];
  for (const f of files.slice(i, i + batch)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`));
    parts.push(fs.readFileSync(path.join(dir, f)));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  bodies.push({ body: Buffer.concat(parts), count: Math.min(batch, files.length - i) });
}
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const headers = {
  'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
  Accept: 'application/dicom+json',
};
if (process.env.TOKEN) headers.Authorization = `Bearer ${process.env.TOKEN}`;

function post(b) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(url, {
      method: 'POST', agent, headers: { ...headers, 'Content-Length': b.body.length }, timeout: 60000,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) {
          reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`));
        } else {
          resolve(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(b.body);
  });
}

async function main() {
  let next = 0;
  const latencies = [];
  const t0 = process.hrtime.bigint();
  async function worker() {
    while (next < bodies.length) latencies.push(await post(bodies[next++]));
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  console.log(`stow: ${files.length} instances in ${s.toFixed(3)} s, ${(files.length / s).toFixed(1)} instances/s ` +
              `(${bodies.length} requests, p50 ${pct(50).toFixed(3)} ms, p95 ${pct(95).toFixed(3)} ms)`);
  agent.destroy();
}
main().catch((e) => {
  console.error(`stow: ${e.message}`);
  process.exit(1);
});
