// DICOMweb interoperability with dicomweb-client (the client OHIF uses), run by dicomweb_client.sh.
//
//   node dicomweb_client_test.mjs NODE_DIR EXPECT_JSON NAME=URL[,TOKEN] [NAME=URL[,TOKEN]...]
//
// NODE_DIR holds node_modules (tests/support/node); EXPECT_JSON is what dicomweb_expect.py read
// from the files with pydicom. Every call is run against each server (URL: its DICOMweb root, e.g.
// http://127.0.0.1:PORT/dicom-web; TOKEN: a Bearer token). The first server is the one under test:
// any failed check of it fails the run (exit 1). The others (Orthanc's DICOMweb plugin) are only
// compared: the table printed at the end shows, per call and server, the HTTP status, the content
// type and whether the checks held.
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [nodeDir, expectPath, ...serverSpecs] = process.argv.slice(2);
if (!nodeDir || !expectPath || serverSpecs.length === 0) {
  console.error('usage: dicomweb_client_test.mjs NODE_DIR EXPECT_JSON NAME=URL[,TOKEN]...');
  process.exit(2);
}
const require = createRequire(`${nodeDir}/package.json`);
globalThis.XMLHttpRequest = require('xhr2');
const { api } = require('dicomweb-client');
const dcmjs = require('dcmjs');
dcmjs.log.setLevel?.('error');

const files = JSON.parse(readFileSync(expectPath, 'utf8'));
const sha = b => createHash('sha256').update(new Uint8Array(b instanceof ArrayBuffer ? b : b.buffer ?
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) : b)).digest('hex');
const bytesOf = ab => new Uint8Array(ab);
const byFile = name => {
  const f = files.find(x => x.file.endsWith('/' + name));
  if (!f) throw new Error(`no expectation for ${name}`);
  return f;
};
const studies = [...new Set(files.map(f => f.study))];
const imaged = files.filter(f => f.frames > 0);

class CheckError extends Error {}
function check(cond, what) {
  if (!cond) throw new CheckError(what);
}
function eqSet(got, want, what) {
  const g = [...new Set(got)].sort(), w = [...new Set(want)].sort();
  check(JSON.stringify(g) === JSON.stringify(w), `${what}: got [${g.join(' ')}] want [${w.join(' ')}]`);
}
// DICOM JSON helpers.
const val = (obj, tag) => obj?.[tag]?.Value;
const first = (obj, tag) => val(obj, tag)?.[0];
const str = (obj, tag) => {
  const v = first(obj, tag);
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && 'Alphabetic' in v) return v.Alphabetic;
  return String(v);
};
const T = {
  StudyUID: '0020000D', SeriesUID: '0020000E', SOPUID: '00080018', SOPClass: '00080016', PatientName: '00100010',
  PatientID: '00100020', StudyDate: '00080020', Modality: '00080060', Modalities: '00080061',
  StudyDescription: '00081030', NStudySeries: '00201206', NStudyInstances: '00201208', NSeriesInstances: '00201209',
  Rows: '00280010', Columns: '00280011', Frames: '00280008', PixelData: '7FE00010', InstanceNumber: '00200013',
};

// Parse a Part 10 file with dcmjs: {meta, dict}.
function parse(ab) {
  return dcmjs.data.DicomMessage.readFile(ab, { untilTag: null, includeUntilTagValue: false });
}
// Deep comparison of two dcmjs dicts; ArrayBuffers by their bytes. Returns the first difference.
function diff(a, b, path = '') {
  if (a instanceof ArrayBuffer || ArrayBuffer.isView(a)) {
    if (!(b instanceof ArrayBuffer || ArrayBuffer.isView(b))) return `${path}: binary vs ${typeof b}`;
    return sha(a) === sha(b) ? null : `${path}: bytes differ`;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return `${path}: length ${a.length} vs ${b?.length}`;
    for (let i = 0; i < a.length; ++i) {
      const d = diff(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && typeof a === 'object') {
    if (!b || typeof b !== 'object') return `${path}: object vs ${typeof b}`;
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) {
      const only = ka.filter(k => !kb.includes(k)).concat(kb.filter(k => !ka.includes(k)).map(k => '+' + k));
      return `${path}: keys differ (${only.slice(0, 5).join(' ')})`;
    }
    for (const k of ka) {
      const d = diff(a[k], b[k], `${path}/${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b || (Number.isNaN(a) && Number.isNaN(b)) ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}
const originals = new Map(files.map(f => {
  const buf = readFileSync(f.file);
  return [f.sop, buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)];
}));
function withoutPixels(dict) {
  const copy = { ...dict };
  delete copy[T.PixelData];
  return copy;
}
// The uncompressed pixel data of a dcmjs dict (one buffer), split into frames of n bytes.
function nativeFrames(dict, n, count) {
  const v = dict[T.PixelData]?.Value;
  check(v && v.length >= 1, 'no pixel data');
  const all = v.length === 1 ? bytesOf(v[0]) : Uint8Array.from(v.flatMap(x => [...bytesOf(x)]));
  const out = [];
  for (let i = 0; i < count; ++i) out.push(sha(all.slice(i * n, (i + 1) * n)));
  return out;
}
// Image checks: the magic bytes and the size the header gives.
function imageInfo(ab) {
  const b = bytesOf(ab);
  if (b[0] === 0xff && b[1] === 0xd8) {
    check(b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9, 'JPEG without EOI at its end');
    for (let i = 2; i + 9 < b.length;) {
      check(b[i] === 0xff, 'JPEG marker expected');
      const m = b[i + 1], len = (b[i + 2] << 8) | b[i + 3];
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc)
        return { type: 'jpeg', height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
      i += 2 + len;
    }
    throw new CheckError('JPEG without SOF');
  }
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.every((x, i) => b[i] === x)) {
    const dv = new DataView(ab instanceof ArrayBuffer ? ab : b.buffer);
    check(String.fromCharCode(...b.slice(12, 16)) === 'IHDR', 'PNG without IHDR');
    return { type: 'png', width: dv.getUint32(16), height: dv.getUint32(20) };
  }
  throw new CheckError(`neither JPEG nor PNG (starts ${[...b.slice(0, 4)].map(x => x.toString(16)).join(' ')})`);
}
const ct = byFile('CT_small.dcm'), gsps = byFile('CT_small_gsps.dcm'), emri = byFile('emri_small.dcm');
const rgb = byFile('SC_rgb_2frame.dcm'), rle = byFile('MR_small_RLE.dcm'), jpeg = byFile('examples_ybr_color.dcm');
const key = f => ({ studyInstanceUID: f.study, seriesInstanceUID: f.series, sopInstanceUID: f.sop });

// ---- the calls ----
// Each: [name, async (client, server) => note]; throws CheckError when the answer is wrong.
const calls = [];
const call = (name, fn) => calls.push([name, fn]);

call('storeInstances (STOW-RS, all files)', async c => {
  const answer = await c.storeInstances({ datasets: files.map(f => originals.get(f.sop)) });
  const j = typeof answer === 'string' ? JSON.parse(answer) : JSON.parse(Buffer.from(answer).toString());
  const refs = (val(j, '00081199') ?? []).map(r => str(r, '00081155'));
  eqSet(refs, files.map(f => f.sop), 'ReferencedSOPSequence');
  check(!val(j, '00081198')?.length, 'FailedSOPSequence not empty');
  return `${refs.length} stored`;
});
call('storeInstances into another study (409)', async c => {
  const r = await c.storeInstances({ studyInstanceUID: ct.study, datasets: [originals.get(emri.sop)] }).then(v => v, e => e);
  check(r instanceof Error, 'stored into a study it is not part of');
  check(r.status === 409, `status ${r.status}, want 409`);
  const j = JSON.parse(typeof r.response === 'string' ? r.response : Buffer.from(r.response).toString());
  const failed = (val(j, '00081198') ?? []).map(x => str(x, '00081155'));
  eqSet(failed, [emri.sop], 'FailedSOPSequence');
});
call('searchForStudies', async c => {
  const r = await c.searchForStudies();
  eqSet(r.map(o => str(o, T.StudyUID)), studies, 'studies');
  for (const s of studies) {
    const o = r.find(x => str(x, T.StudyUID) === s), fs = files.filter(f => f.study === s);
    check(Number(first(o, T.NStudyInstances)) === fs.length, `NumberOfStudyRelatedInstances of ${s}`);
    check(Number(first(o, T.NStudySeries)) === new Set(fs.map(f => f.series)).size, `NumberOfStudyRelatedSeries of ${s}`);
    eqSet(val(o, T.Modalities) ?? [], fs.map(f => f.modality), `ModalitiesInStudy of ${s}`);
    check(str(o, T.PatientID) === fs[0].patient_id, `PatientID of ${s}`);
  }
  return `${r.length} studies`;
});
call('searchForStudies PatientID', async c => {
  const r = await c.searchForStudies({ queryParams: { PatientID: ct.patient_id } });
  eqSet(r.map(o => str(o, T.StudyUID)), files.filter(f => f.patient_id === ct.patient_id).map(f => f.study), 'studies');
  check(str(r[0], T.PatientName) === ct.patient_name, `PatientName ${str(r[0], T.PatientName)}`);
});
call('searchForStudies PatientName wildcard', async c => {
  const r = await c.searchForStudies({ queryParams: { PatientName: 'CompressedSamples*' } });
  eqSet(r.map(o => str(o, T.StudyUID)), files.filter(f => f.patient_name.startsWith('CompressedSamples')).map(f => f.study),
    'studies');
});
// A study whose instances disagree on a study attribute (CT_small and its presentation state,
// whose StudyDate and StudyDescription are empty) may be answered with any instance's value: the
// checks take every study that all of its instances put in the answer, none that none of them do.
const inRange = f => f.study_date >= '20040101' && f.study_date <= '20041231';
call('searchForStudies StudyDate range', async c => {
  const r = await c.searchForStudies({ queryParams: { StudyDate: '20040101-20041231' } });
  const got = r.map(o => str(o, T.StudyUID));
  for (const o of r) check(str(o, T.StudyDate) >= '20040101' && str(o, T.StudyDate) <= '20041231',
    `${str(o, T.StudyUID)} answered with StudyDate ${str(o, T.StudyDate)}`);
  for (const s of studies) {
    const fs = files.filter(f => f.study === s);
    if (fs.every(inRange)) check(got.includes(s), `${s} (StudyDate ${fs[0].study_date}) missing`);
    if (!fs.some(inRange)) check(!got.includes(s), `${s} (StudyDate ${fs[0].study_date}) answered`);
  }
  const mixed = studies.filter(s => files.some(f => f.study === s && inRange(f)) && !files.every(f => f.study !== s || inRange(f)));
  return mixed.map(s => `${s.slice(-12)}: ${got.includes(s) ? 'in' : 'not in'} (its instances disagree)`).join(', ');
});
call('searchForStudies ModalitiesInStudy', async c => {
  const r = await c.searchForStudies({ queryParams: { ModalitiesInStudy: 'MR' } });
  eqSet(r.map(o => str(o, T.StudyUID)), files.filter(f => f.modality === 'MR').map(f => f.study), 'studies');
});
call('searchForStudies limit+offset', async c => {
  const seen = [];
  for (let offset = 0; offset < studies.length + 2; offset += 2) {
    const r = await c.searchForStudies({ queryParams: { limit: 2, offset } });
    check(r.length === Math.max(0, Math.min(2, studies.length - offset)), `offset ${offset}: ${r.length} answers`);
    seen.push(...r.map(o => str(o, T.StudyUID)));
  }
  check(seen.length === studies.length, `${seen.length} answers over the pages`);
  eqSet(seen, studies, 'studies over the pages');
});
call('searchForStudies includefield', async c => {
  const allowed = files.filter(f => f.study === ct.study).map(f => f.study_description);
  const notes = [];
  for (const field of ['StudyDescription', T.StudyDescription]) {
    const r = await c.searchForStudies({ queryParams: { StudyInstanceUID: ct.study, includefield: field } });
    check(r.length === 1, `${r.length} answers`);
    check(T.StudyDescription in r[0], `includefield=${field}: no StudyDescription in the answer`);
    const v = str(r[0], T.StudyDescription);
    check(allowed.includes(v), `StudyDescription ${JSON.stringify(v)}, want one of ${JSON.stringify(allowed)}`);
    notes.push(JSON.stringify(v));
  }
  return `StudyDescription ${notes[0]}`;
});
call('searchForSeries', async c => {
  const r = await c.searchForSeries();
  eqSet(r.map(o => str(o, T.SeriesUID)), files.map(f => f.series), 'series');
  for (const f of files) {
    const o = r.find(x => str(x, T.SeriesUID) === f.series);
    check(str(o, T.Modality) === f.modality, `Modality of ${f.series}`);
    check(Number(first(o, T.NSeriesInstances)) === files.filter(g => g.series === f.series).length,
      `NumberOfSeriesRelatedInstances of ${f.series}`);
  }
});
call('searchForSeries in a study', async c => {
  const r = await c.searchForSeries({ studyInstanceUID: ct.study });
  eqSet(r.map(o => str(o, T.SeriesUID)), files.filter(f => f.study === ct.study).map(f => f.series), 'series');
});
call('searchForSeries Modality', async c => {
  const r = await c.searchForSeries({ queryParams: { Modality: 'PR' } });
  eqSet(r.map(o => str(o, T.SeriesUID)), [gsps.series], 'series');
});
call('searchForInstances', async c => {
  const r = await c.searchForInstances();
  eqSet(r.map(o => str(o, T.SOPUID)), files.map(f => f.sop), 'instances');
  for (const o of r) check(str(o, T.StudyUID) && str(o, T.SeriesUID), 'study and series UIDs in instance answers');
});
call('searchForInstances in a study', async c => {
  const r = await c.searchForInstances({ studyInstanceUID: ct.study });
  eqSet(r.map(o => str(o, T.SOPUID)), files.filter(f => f.study === ct.study).map(f => f.sop), 'instances');
});
call('searchForInstances in a series', async c => {
  const r = await c.searchForInstances({ studyInstanceUID: emri.study, seriesInstanceUID: emri.series });
  eqSet(r.map(o => str(o, T.SOPUID)), [emri.sop], 'instances');
  check(Number(first(r[0], T.Frames)) === emri.frames, `NumberOfFrames ${first(r[0], T.Frames)}`);
  check(Number(first(r[0], T.Rows)) === emri.rows && Number(first(r[0], T.Columns)) === emri.columns, 'Rows, Columns');
  check(str(r[0], T.SOPClass) === emri.sop_class, 'SOPClassUID');
});

// Every BulkDataURI of a metadata object: fetched with retrieveBulkData; pixel data checked.
async function checkBulk(c, f, md) {
  let n = 0;
  for (const [tag, el] of Object.entries(md)) {
    if (!el.BulkDataURI) continue;
    const parts = await c.retrieveBulkData({ BulkDataURI: el.BulkDataURI });
    check(parts.length >= 1, `${tag}: no part`);
    if (tag === T.PixelData && f.pixel_data) {
      check(parts.length === 1 && sha(parts[0]) === f.pixel_data, `${tag}: pixel data bytes differ`);
    } else if (tag === T.PixelData && f.stored_frames) {
      check(JSON.stringify(parts.map(sha)) === JSON.stringify(f.stored_frames), `${tag}: frames differ`);
    } else if (tag !== T.PixelData) {
      // Other bulk data: the value the file has (as dcmjs reads it), when it is a binary one.
      const original = parse(originals.get(f.sop)).dict[tag];
      const v = original?.Value?.[0];
      check(original, `${tag}: BulkDataURI for an element the file does not have`);
      if (v instanceof ArrayBuffer) check(parts.length === 1 && sha(parts[0]) === sha(v), `${tag}: bytes differ`);
    }
    ++n;
  }
  return n;
}
call('retrieveStudyMetadata', async c => {
  const r = await c.retrieveStudyMetadata({ studyInstanceUID: ct.study });
  eqSet(r.map(o => str(o, T.SOPUID)), files.filter(f => f.study === ct.study).map(f => f.sop), 'instances');
  for (const o of r) check(str(o, T.PatientName) === ct.patient_name, `PatientName ${str(o, T.PatientName)}`);
});
call('retrieveSeriesMetadata + BulkDataURI', async c => {
  const r = await c.retrieveSeriesMetadata({ studyInstanceUID: emri.study, seriesInstanceUID: emri.series });
  check(r.length === 1 && str(r[0], T.SOPUID) === emri.sop, 'one instance');
  check(Number(first(r[0], T.Rows)) === emri.rows && Number(first(r[0], T.Frames)) === emri.frames, 'Rows, NumberOfFrames');
  check(r[0][T.PixelData]?.BulkDataURI, 'no BulkDataURI for PixelData');
  return `${await checkBulk(c, emri, r[0])} bulk data`;
});
call('retrieveInstanceMetadata + BulkDataURI (each)', async c => {
  let bulk = 0;
  for (const f of files) {
    const r = await c.retrieveInstanceMetadata(key(f));
    check(r.length === 1 && str(r[0], T.SOPUID) === f.sop, `${f.sop}: not one object for it`);
    check(str(r[0], T.PatientName) === f.patient_name, `${f.sop}: PatientName`);
    if (f.frames) {
      check(Number(first(r[0], T.Rows)) === f.rows && Number(first(r[0], T.Columns)) === f.columns, `${f.sop}: Rows`);
      check(r[0][T.PixelData]?.BulkDataURI || r[0][T.PixelData]?.InlineBinary, `${f.sop}: no PixelData`);
    }
    bulk += await checkBulk(c, f, r[0]);
  }
  return `${bulk} bulk data`;
});
// What a change of transfer syntax may change: the pixel description (decoders give RGB for YBR
// JPEG) and the lossy compression history.
const pixelDescription = ['00280004', '00280006', '00282110', '00282112', '00282114'];
function withoutPixelDescription(dict) {
  const copy = withoutPixels(dict);
  for (const t of pixelDescription) delete copy[t];
  return copy;
}
call('retrieveInstance (default Accept)', async c => {
  const notes = [];
  for (const f of files) {
    const ab = await c.retrieveInstance(key(f));
    const got = parse(ab), want = parse(originals.get(f.sop));
    const ts = got.meta['00020010'].Value[0];
    if (ts === f.transfer_syntax) {
      const d = diff(want.dict, got.dict);
      check(!d, `${f.sop}: data set differs: ${d}`);
      continue;
    }
    notes.push(`${f.transfer_syntax.split('.').pop()}->${ts.split('.').pop()}`);
    const d = diff(withoutPixelDescription(want.dict), withoutPixelDescription(got.dict));
    check(!d, `${f.sop}: data set differs: ${d}`);
    const pi = got.dict['00280004'].Value[0];
    check(pi === (f.samples === 3 ? 'RGB' : want.dict['00280004'].Value[0]), `${f.sop}: PhotometricInterpretation ${pi}`);
    if (f.native_frames) {
      check(JSON.stringify(nativeFrames(got.dict, f.native_length, f.frames)) === JSON.stringify(f.native_frames),
        `${f.sop}: decoded pixel data differs`);
    } else {
      const v = got.dict[T.PixelData].Value;
      const n = v.reduce((a, x) => a + x.byteLength, 0);
      check(n === f.native_length * f.frames, `${f.sop}: ${n} bytes of pixel data, want ${f.native_length * f.frames}`);
    }
  }
  return notes.join(' ');
});
// dicomweb-client 0.11.3's retrieveInstance refuses every mediaTypes (it compares "application/"
// with "application/dicom"): its multipart application/dicom request is used directly.
call('retrieve instance transfer-syntax=*', async (c, s) => {
  for (const f of files) {
    const url = `${s.url}/studies/${f.study}/series/${f.series}/instances/${f.sop}`;
    const [ab] = await c._httpGetMultipartApplicationDicom(url,
      [{ mediaType: 'application/dicom', transferSyntaxUID: '*' }], false, {});
    const got = parse(ab), want = parse(originals.get(f.sop));
    check(got.meta['00020010'].Value[0] === f.transfer_syntax, `${f.sop}: transfer syntax ${got.meta['00020010'].Value[0]}`);
    const d = diff(want.dict, got.dict);
    check(!d, `${f.sop}: data set differs: ${d}`);
  }
});
call('retrieveSeries / retrieveStudy', async c => {
  const series = await c.retrieveSeries({ studyInstanceUID: emri.study, seriesInstanceUID: emri.series });
  eqSet(series.map(ab => parse(ab).dict[T.SOPUID].Value[0]), [emri.sop], 'series');
  const study = await c.retrieveStudy({ studyInstanceUID: ct.study });
  eqSet(study.map(ab => parse(ab).dict[T.SOPUID].Value[0]), files.filter(f => f.study === ct.study).map(f => f.sop), 'study');
});
call('retrieveInstanceFrames (octet-stream, all frames)', async c => {
  let n = 0;
  for (const f of imaged) {
    const numbers = Array.from({ length: f.frames }, (_, i) => i + 1);
    const parts = await c.retrieveInstanceFrames({ ...key(f), frameNumbers: numbers.join(',') });
    check(parts.length === f.frames, `${f.sop}: ${parts.length} parts for ${f.frames} frames`);
    for (let i = 0; i < parts.length; ++i) {
      check(parts[i].byteLength === f.native_length, `${f.sop} frame ${i + 1}: ${parts[i].byteLength} bytes, want ${f.native_length}`);
      if (f.native_frames) check(sha(parts[i]) === f.native_frames[i], `${f.sop} frame ${i + 1}: bytes differ`);
    }
    n += parts.length;
  }
  return `${n} frames`;
});
call('retrieveInstanceFrames (one, out of order)', async c => {
  const parts = await c.retrieveInstanceFrames({ ...key(emri), frameNumbers: '7,2' });
  check(parts.length === 2 && sha(parts[0]) === emri.native_frames[6] && sha(parts[1]) === emri.native_frames[1],
    'frames 7,2');
});
call('retrieveInstanceFrames transfer-syntax=* (as stored)', async c => {
  for (const f of imaged) {
    const parts = await c.retrieveInstanceFrames({ ...key(f), frameNumbers: '1',
      mediaTypes: [{ mediaType: 'application/octet-stream', transferSyntaxUID: '*' }] });
    check(parts.length === 1, `${f.sop}: ${parts.length} parts`);
    const want = f.stored_frames ? f.stored_frames[0] : f.native_frames[0];
    check(sha(parts[0]) === want, `${f.sop}: frame 1 is not the stored bitstream (${parts[0].byteLength} bytes)`);
  }
});
call('retrieveInstanceFrames image/jpeg (JPEG Baseline)', async c => {
  const parts = await c.retrieveInstanceFrames({ ...key(jpeg), frameNumbers: '1,30',
    mediaTypes: [{ mediaType: 'image/jpeg', transferSyntaxUID: jpeg.transfer_syntax }] });
  check(parts.length === 2 && sha(parts[0]) === jpeg.stored_frames[0] && sha(parts[1]) === jpeg.stored_frames[29],
    'frames 1,30 differ from the stored bitstreams');
  const info = imageInfo(parts[0]);
  check(info.width === jpeg.columns && info.height === jpeg.rows, `JPEG ${info.width}x${info.height}`);
});
call('retrieveInstanceFrames image/x-dicom-rle (RLE)', async c => {
  const parts = await c.retrieveInstanceFrames({ ...key(rle), frameNumbers: '1',
    mediaTypes: [{ mediaType: 'image/x-dicom-rle', transferSyntaxUID: rle.transfer_syntax }] });
  check(parts.length === 1 && sha(parts[0]) === rle.stored_frames[0], 'frame 1 differs from the stored RLE');
});
call('retrieveInstanceFrames, types without transfer syntax', async c => {
  // PS3.18 Table 8.7.3-5: image/dicom-rle means RLE Lossless; image/jpeg JPEG Lossless SV1, or
  // the lossy JPEG that is all the server has (8.7.3).
  const r = await c.retrieveInstanceFrames({ ...key(rle), frameNumbers: '1', mediaTypes: [{ mediaType: 'image/x-dicom-rle' }] });
  check(r.length === 1 && sha(r[0]) === rle.stored_frames[0], 'RLE frame 1 differs from the stored one');
  const j = await c.retrieveInstanceFrames({ ...key(jpeg), frameNumbers: '3', mediaTypes: [{ mediaType: 'image/jpeg' }] });
  check(j.length === 1 && sha(j[0]) === jpeg.stored_frames[2], 'JPEG frame 3 differs from the stored one');
});
call('retrieveInstanceRendered (jpeg, png, viewport)', async c => {
  const notes = [];
  for (const f of imaged) {
    const [j] = await c.retrieveInstanceRendered({ ...key(f), mediaTypes: [{ mediaType: 'image/jpeg' }] });
    const i = imageInfo(j);
    check(i.type === 'jpeg' && i.width === f.columns && i.height === f.rows, `${f.sop}: ${i.type} ${i.width}x${i.height}`);
  }
  const [p] = await c.retrieveInstanceRendered({ ...key(ct), mediaTypes: [{ mediaType: 'image/png' }] });
  const pi = imageInfo(p);
  check(pi.type === 'png' && pi.width === ct.columns && pi.height === ct.rows, `png ${pi.width}x${pi.height}`);
  const [v] = await c.retrieveInstanceRendered({ ...key(ct), mediaTypes: [{ mediaType: 'image/jpeg' }],
    queryParams: { viewport: '64,64', window: '40,400,linear' } });
  const vi = imageInfo(v);
  check(vi.width <= 64 && vi.height <= 64 && Math.max(vi.width, vi.height) === 64, `viewport 64,64: ${vi.width}x${vi.height}`);
  notes.push(`viewport ${vi.width}x${vi.height}`);
  return notes.join(' ');
});
call('retrieveInstanceFramesRendered', async c => {
  const [j] = await c.retrieveInstanceFramesRendered({ ...key(emri), frameNumbers: '2', mediaTypes: [{ mediaType: 'image/jpeg' }] });
  const i = imageInfo(j);
  check(i.width === emri.columns && i.height === emri.rows, `${i.width}x${i.height}`);
  const [p] = await c.retrieveInstanceFramesRendered({ ...key(rgb), frameNumbers: '2', mediaTypes: [{ mediaType: 'image/png' }] });
  check(imageInfo(p).type === 'png', 'png');
});
call('retrieveInstanceThumbnail', async c => {
  const [j] = await c.retrieveInstanceThumbnail({ ...key(ct), mediaTypes: [{ mediaType: 'image/jpeg' }] });
  const i = imageInfo(j);
  return `${i.type} ${i.width}x${i.height}`;
});
// Plain fetch for what dicomweb-client has no call for.
call('study/series thumbnail (fetch)', async (c, s) => {
  const notes = [];
  for (const path of [`/studies/${ct.study}/thumbnail`, `/studies/${ct.study}/series/${ct.series}/thumbnail`]) {
    const r = await s.fetch(path, { Accept: 'image/jpeg' });
    s.first ??= r;
    s.last = r;
    check(r.status === 200, `${path}: status ${r.status}`);
    const i = imageInfo(await r.arrayBuffer());
    notes.push(`${i.type} ${i.width}x${i.height}`);
  }
  return notes.join(', ');
});
call('WADO-URI buildInstanceWadoURIUrl', async (c, s) => {
  const url = c.buildInstanceWadoURIUrl(key(ct)).replace(/\/dicom-web\/?\?/, '/wado?');
  const r = await s.fetchUrl(url, {});
  s.first = s.last = r;
  check(r.status === 200, `status ${r.status}`);
  const got = parse(await r.arrayBuffer());
  check(!diff(parse(originals.get(ct.sop)).dict, got.dict), 'data set differs');
});
call('404 unknown SOP Instance UID', async c => {
  await expectStatus(c.retrieveInstanceMetadata({ ...key(ct), sopInstanceUID: '1.2.3.4.5.6.7.8.9' }), 404);
});
call('404 unknown study (QIDO under it)', async c => {
  const r = await c.searchForSeries({ studyInstanceUID: '1.2.3.4.5.6.7.8.9' }).catch(e => e);
  // PS3.18 10.6.3.3: an empty result (204 or 200 []) or 404 are both seen.
  if (r instanceof Error) check(r.status === 404, `status ${r.status}`);
  else check(Array.isArray(r) && r.length === 0, 'answers for a study that is not there');
});
call('404 frame beyond the last', async c => {
  await expectStatus(c.retrieveInstanceFrames({ ...key(ct), frameNumbers: '2' }), 404);
});
call('406 rendered as image/gif', async c => {
  await expectStatus(c.retrieveInstanceRendered({ ...key(ct), mediaTypes: [{ mediaType: 'image/gif' }] }), 406);
});
call('406 frames as image/jp2 of a JPEG file', async c => {
  await expectStatus(c.retrieveInstanceFrames({ ...key(jpeg), frameNumbers: '1',
    mediaTypes: [{ mediaType: 'image/jp2', transferSyntaxUID: '1.2.840.10008.1.2.4.90' }] }), 406);
});
call('401 without credentials', async (c, s) => {
  await expectStatus(s.anonymous.retrieveStudyMetadata({ studyInstanceUID: ct.study }), 401);
  await expectStatus(s.anonymous.searchForStudies(), 401);
});

async function expectStatus(promise, status) {
  const r = await promise.then(v => v, e => e);
  check(r instanceof Error, `answered (not ${status})`);
  check(r.status === status, `status ${r.status} (${r.message}), want ${status}`);
}

// ---- the servers ----
function server(spec) {
  const eq = spec.indexOf('=');
  const name = spec.slice(0, eq);
  const [url, token] = spec.slice(eq + 1).split(',');
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const s = { name, url, first: null, last: null };
  const hook = (xhr, meta) => {
    s.first ??= xhr;
    s.last = xhr;
    return xhr;
  };
  s.client = new api.DICOMwebClient({ url, headers, verbose: false, requestHooks: [hook] });
  s.anonymous = new api.DICOMwebClient({ url, verbose: false, requestHooks: [hook] });
  s.fetchUrl = (u, h) => fetch(u, { headers: { ...headers, ...h }, signal: AbortSignal.timeout(10000) });
  s.fetch = (path, h) => s.fetchUrl(url + path, h);
  return s;
}
const servers = serverSpecs.map(server);

// The table shows the first request of a call, or the last one when the call failed.
function answerOf(s, ok) {
  const x = ok ? s.first ?? s.last : s.last;
  if (!x) return { status: '-', type: '' };
  if (typeof x.getResponseHeader === 'function')
    return { status: x.status, type: (x.getResponseHeader('Content-Type') || '').replace(/; *boundary=[^;]*/, '') };
  return { status: x.status, type: (x.headers.get('content-type') || '').replace(/; *boundary=[^;]*/, '') };
}

const results = [];  // [call][server] = {ok, status, type, note}
let failures = 0;
// The servers compared with are given 25 s in all: the run stays within the test's time limit
// however slowly they answer.
const othersUntil = Date.now() + 25000;
for (const [name, fn] of calls) {
  const row = [];
  for (const [k, s] of servers.entries()) {
    s.first = s.last = null;
    if (k > 0 && Date.now() > othersUntil) {
      row.push({ ok: false, note: 'not asked (out of time)', status: '-', type: '' });
      continue;
    }
    let ok = false, note = '';
    try {
      const r = await Promise.race([fn(s.client, s),
        new Promise((_, rej) => setTimeout(() => rej(new Error('no answer within 10 s')), 10000).unref())]);
      ok = true;
      note = r ?? '';
    } catch (e) {
      note = e instanceof CheckError ? e.message : `${e.status ? 'status ' + e.status + ': ' : ''}${e.message}`;
    }
    const a = answerOf(s, ok);
    row.push({ ok, note, ...a });
    if (!ok && k === 0) {
      ++failures;
      console.log(`FAIL ${s.name}: ${name}: ${note}`);
    }
  }
  results.push([name, row]);
}

// The table: one line per call, one column per server.
const cell = r => `${r.ok ? 'ok  ' : 'FAIL'} ${r.status} ${r.type}${r.note ? ' (' + String(r.note).slice(0, 70) + ')' : ''}`;
console.log(`\n${'call'.padEnd(52)} | ${servers.map(s => s.name).join(' | ')}`);
for (const [name, row] of results) console.log(`${name.padEnd(52)} | ${row.map(cell).join(' | ')}`);
for (const [k, s] of servers.entries()) {
  if (k === 0) continue;
  const differing = results.filter(r => !r[1][k].ok);
  if (differing.length) console.log(`\n${s.name}: where its answers differ from what the checks want`);
  for (const [name, row] of differing) console.log(`  ${name}: ${row[k].status} ${row[k].type}: ${row[k].note}`);
}
const summary = servers.map((s, k) => `${s.name} ${results.filter(r => r[1][k].ok).length}/${results.length}`);
console.log(`\nchecks held: ${summary.join(', ')}`);
process.exit(failures ? 1 : 0);
