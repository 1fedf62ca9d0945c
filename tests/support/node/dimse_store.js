// C-STORE SCU with dcmjs-dimse: sends each file named in a list, one association per file, and
// prints one line per file: PATH<TAB>STATUS<TAB>COMMENT, where STATUS is the C-STORE-RSP status
// as 0xXXXX, or "unread" (the library could not read the file), "unsent" (no context accepted,
// association rejected or ended before a response) with the reason in COMMENT.
//   node dimse_store.js HOST PORT CALLING_AE CALLED_AE LIST_FILE
'use strict';
const fs = require('fs');
const dimse = require('dcmjs-dimse');

const { Client, Transcoding } = dimse;
const { CStoreRequest } = dimse.requests;

dimse.log.setLevel('silent');
require('dcmjs').log.setLevel('silent');
// dcmjs reports unknown private tags with console.log; the output here is the lines below.
console.log = () => {};
console.warn = () => {};

const [host, portText, callingAe, calledAe, listFile] = process.argv.slice(2);
if (!listFile) {
  process.stderr.write('usage: node dimse_store.js HOST PORT CALLING_AE CALLED_AE LIST_FILE\n');
  process.exit(2);
}
if (host !== '127.0.0.1' && host !== '::1') {
  process.stderr.write('dimse_store.js: loopback peers only\n');
  process.exit(2);
}
const port = Number(portText);
const files = fs.readFileSync(listFile, 'utf8').split('\n').filter((l) => l.length > 0);

function oneLine(text) {
  return String(text).replace(/[\t\r\n]+/g, ' ').slice(0, 300);
}

function hex(status) {
  return '0x' + (status >>> 0).toString(16).toUpperCase().padStart(4, '0');
}

// dcmjs throws from its event handlers on some files (e.g. character sets it does not know):
// that file's result is the error, and the next file goes on a new association.
let current;
process.on('uncaughtException', (e) => {
  if (!current) throw e;
  const { client, fail } = current;
  try {
    client.abort();
  } catch (err) {
    // already closed
  }
  fail('dcmjs-dimse failed: ' + oneLine(e && e.message ? e.message : e));
});

function storeOne(path) {
  return new Promise((resolveOnce) => {
    let done = false;
    const resolve = (result) => {
      if (done) return;
      done = true;
      current = undefined;
      resolveOnce(result);
    };
    let request;
    try {
      request = new CStoreRequest(path);
    } catch (e) {
      resolve(['unread', oneLine(e && e.message ? e.message : e)]);
      return;
    }
    const client = new Client();
    let answer;
    let problem = 'no response';
    current = {
      client,
      fail: (why) => {
        clearTimeout(timer);
        resolve(answer || ['unsent', why]);
      },
    };
    const timer = setTimeout(() => {
      problem = 'timeout after 15 s';
      try {
        client.abort();
      } catch (e) {
        // already closed
      }
      resolve(answer || ['unsent', problem]);
    }, 15000);
    request.on('response', (response) => {
      answer = [hex(response.getStatus()), oneLine(response.getErrorComment() || '')];
    });
    client.on('associationAccepted', (association) => {
      const context = association.getAcceptedPresentationContextFromRequest(request);
      const fileSyntax = request.getDataset().getTransferSyntaxUid();
      if (!context) problem = 'no presentation context accepted for this SOP class and transfer syntax';
      else if (context.getAcceptedTransferSyntaxUid() !== fileSyntax)
        problem = `accepted in ${context.getAcceptedTransferSyntaxUid()} only; dcmjs-dimse did not convert from ${fileSyntax}`;
    });
    client.on('associationRejected', (reject) => {
      problem = 'association rejected: ' + oneLine(JSON.stringify(reject));
    });
    client.on('networkError', (e) => {
      problem = 'network error: ' + oneLine(e && e.message ? e.message : e);
    });
    client.on('closed', () => {
      clearTimeout(timer);
      resolve(answer || ['unsent', problem]);
    });
    client.addRequest(request);
    try {
      client.send(host, port, callingAe, calledAe, { connectTimeout: 10000, associationTimeout: 10000, pduTimeout: 15000 });
    } catch (e) {
      clearTimeout(timer);
      resolve(['unsent', oneLine(e && e.message ? e.message : e)]);
    }
  });
}

(async () => {
  // The codecs (WebAssembly, inside the dcmjs-codecs package) let dcmjs-dimse convert a file to
  // the transfer syntax the peer accepted, as a sender should.
  await Transcoding.initializeAsync();
  for (const path of files) {
    const [status, comment] = await storeOne(path);
    process.stdout.write(`${path}\t${status}\t${comment}\n`);
  }
})();
