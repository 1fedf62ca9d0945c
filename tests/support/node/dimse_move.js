// C-MOVE SCU and C-STORE SCP with dcmjs-dimse: listens on 127.0.0.1:SCP_PORT (accepting every
// storage context in the first transfer syntax proposed), asks the peer to move each request of
// REQUESTS_FILE to DEST_AE (which the peer must know as 127.0.0.1:SCP_PORT), and saves what
// arrives as OUT_DIR/<SOP Instance UID>.dcm. Request lines: "STUDY<TAB>study-uid" or
// "IMAGE<TAB>study-uid<TAB>series-uid<TAB>sop-instance-uid" (empty UIDs are left empty) or
// "OBJECT<TAB>move-sop-class-uid<TAB>sop-instance-uid" (a non-patient object in its own model).
// Prints "stored<TAB>UID<TAB>TRANSFER_SYNTAX" per instance received and
// "final<TAB>REQUEST<TAB>STATUS<TAB>completed<TAB>failed<TAB>warning<TAB>COMMENT" per request.
//   node dimse_move.js HOST PORT CALLING_AE CALLED_AE DEST_AE SCP_PORT OUT_DIR REQUESTS_FILE
'use strict';
const fs = require('fs');
const net = require('net');
const pathLib = require('path');
const dimse = require('dcmjs-dimse');

const { Client, Dataset, Scp } = dimse;
const { CMoveRequest } = dimse.requests;
const { CStoreResponse } = dimse.responses;
const { Status, PresentationContextResult, SopClass } = dimse.constants;

dimse.log.setLevel('silent');
require('dcmjs').log.setLevel('silent');
// dcmjs reports unknown private tags with console.log; the output here is the lines below.
console.log = () => {};
console.warn = () => {};

const [host, portText, callingAe, calledAe, destAe, scpPortText, outDir, requestsFile] = process.argv.slice(2);
if (!requestsFile) {
  process.stderr.write('usage: node dimse_move.js HOST PORT CALLING_AE CALLED_AE DEST_AE SCP_PORT OUT_DIR REQUESTS_FILE\n');
  process.exit(2);
}
if (host !== '127.0.0.1' && host !== '::1') {
  process.stderr.write('dimse_move.js: loopback peers only\n');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });

function oneLine(text) {
  return String(text).replace(/[\t\r\n]+/g, ' ').slice(0, 300);
}

function hex(status) {
  return '0x' + (status >>> 0).toString(16).toUpperCase().padStart(4, '0');
}

class StoreScp extends Scp {
  associationRequested(association) {
    for (const c of association.getPresentationContexts()) {
      const context = association.getPresentationContext(c.id);
      const syntaxes = context.getTransferSyntaxUids();
      if (context.getAbstractSyntaxUid() === SopClass.Verification || syntaxes.length > 0)
        context.setResult(PresentationContextResult.Accept, syntaxes[0]);
      else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
    }
    this.sendAssociationAccept();
  }

  cStoreRequest(request, callback) {
    const response = CStoreResponse.fromRequest(request);
    try {
      const dataset = request.getDataset();
      const uid = String(dataset.getElement('SOPInstanceUID') || request.getAffectedSopInstanceUid() || '');
      const safe = uid.replace(/[^0-9.]/g, '_') || 'no-uid';
      dataset.toFile(pathLib.join(outDir, safe + '.dcm'));
      process.stdout.write(`stored\t${uid}\t${dataset.getTransferSyntaxUid()}\n`);
      response.setStatus(Status.Success);
    } catch (e) {
      process.stdout.write(`unsaved\t${request.getAffectedSopInstanceUid()}\t${oneLine(e && e.message ? e.message : e)}\n`);
      response.setStatus(Status.ProcessingFailure);
    }
    callback(response);
  }

  associationReleaseRequested() {
    this.sendAssociationReleaseResponse();
  }
}

// The library's Server listens on every interface; the tests keep to the loopback address.
function listen(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      const scp = new StoreScp(socket, { associationTimeout: 30000, pduTimeout: 60000 });
      scp.connected = true;
      scp.on('networkError', () => socket.end());
    });
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function moveRequest(fields) {
  if (fields[0] === 'STUDY') return CMoveRequest.createStudyMoveRequest(destAe, fields[1]);
  if (fields[0] === 'IMAGE')
    return CMoveRequest.createImageMoveRequest(destAe, fields[1] || '', fields[2] || '', fields[3] || '');
  // OBJECT: a non-patient object by its SOP Instance UID, in its own model's C-MOVE SOP class
  // (PS3.4 X Color Palette, U Hanging Protocol, ...: the identifier holds the SOP Instance UID).
  const request = new CMoveRequest();
  request.setAffectedSopClassUid(fields[1]);
  request.setDataset(new Dataset({ SOPInstanceUID: fields[2] }));
  request.getCommandDataset().setElement('MoveDestination', destAe);
  return request;
}

function moveOne(fields) {
  return new Promise((resolve) => {
    const request = moveRequest(fields);
    const client = new Client();
    let final;
    let problem = 'no final response';
    const timer = setTimeout(() => {
      problem = 'timeout after 120 s';
      try {
        client.abort();
      } catch (e) {
        // already closed
      }
      resolve(final || [problem, 0, 0, 0, '']);
    }, 120000);
    request.on('response', (response) => {
      if (response.getStatus() === Status.Pending) return;
      final = [hex(response.getStatus()), response.getCompleted() || 0, response.getFailures() || 0,
        response.getWarnings() || 0, oneLine(response.getErrorComment() || '')];
    });
    client.on('associationRejected', (reject) => {
      problem = 'association rejected: ' + oneLine(JSON.stringify(reject));
    });
    client.on('networkError', (e) => {
      problem = 'network error: ' + oneLine(e && e.message ? e.message : e);
    });
    client.on('closed', () => {
      clearTimeout(timer);
      resolve(final || [problem, 0, 0, 0, '']);
    });
    client.addRequest(request);
    client.send(host, Number(portText), callingAe, calledAe, { connectTimeout: 10000, associationTimeout: 10000, pduTimeout: 60000 });
  });
}

(async () => {
  const server = await listen(Number(scpPortText));
  const requests = fs.readFileSync(requestsFile, 'utf8').split('\n').filter((l) => l.length > 0);
  for (const line of requests) {
    const result = await moveOne(line.split('\t'));
    process.stdout.write(`final\t${line.replace(/\t/g, ' ')}\t${result.join('\t')}\n`);
  }
  server.close();
  process.exit(0);
})().catch((e) => {
  process.stderr.write(`dimse_move.js: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
