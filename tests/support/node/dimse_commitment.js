// Storage Commitment Push Model SCU with dcmjs-dimse (PS3.4 J.3): sends one N-ACTION-RQ
// (Request Storage Commitment) for the given SOP Instance UIDs of CT Image Storage, then waits on
// the same association for the SCP's N-EVENT-REPORT-RQ and answers it with Success. Prints:
//   N-ACTION<TAB>0xSTATUS
//   N-EVENT-REPORT<TAB>EVENT_TYPE<TAB>TRANSACTION_UID<TAB>COMMITTED<TAB>FAILED
// and exits 0 when both came, 1 otherwise.
//   node dimse_commitment.js HOST PORT CALLING_AE CALLED_AE TRANSACTION_UID SOP_INSTANCE_UID...
'use strict';
const dimse = require('dcmjs-dimse');

const { Client, Dataset } = dimse;
const { NActionRequest } = dimse.requests;
const { NEventReportResponse } = dimse.responses;
const { Status, SopClass } = dimse.constants;

dimse.log.setLevel('silent');
require('dcmjs').log.setLevel('silent');

const [host, portText, callingAe, calledAe, transactionUid, ...instances] = process.argv.slice(2);
if (!transactionUid || instances.length === 0) {
  process.stderr.write('usage: node dimse_commitment.js HOST PORT CALLING_AE CALLED_AE TRANSACTION_UID UID...\n');
  process.exit(2);
}
if (host !== '127.0.0.1' && host !== '::1') {
  process.stderr.write('dimse_commitment.js: loopback peers only\n');
  process.exit(2);
}

const kCt = '1.2.840.10008.5.1.4.1.1.2';
const kInstance = '1.2.840.10008.1.20.1.1';  // the well-known Storage Commitment instance
let actionStatus;
let eventLine;

function hex(status) {
  return '0x' + (status >>> 0).toString(16).toUpperCase().padStart(4, '0');
}

function count(dataset, keyword) {
  const seq = dataset ? dataset.getElement(keyword) : undefined;
  return Array.isArray(seq) ? seq.length : 0;
}

const client = new Client();
const request = new NActionRequest(SopClass.StorageCommitmentPushModel, kInstance, 1);
request.setDataset(new Dataset({
  TransactionUID: transactionUid,
  ReferencedSOPSequence: instances.map((uid) => ({ ReferencedSOPClassUID: kCt, ReferencedSOPInstanceUID: uid })),
}));
request.on('response', (response) => {
  actionStatus = response.getStatus();
  process.stdout.write(`N-ACTION\t${hex(actionStatus)}\n`);
});
client.on('nEventReportRequest', (rq, callback) => {
  const ds = rq.getDataset();
  eventLine = [
    'N-EVENT-REPORT', rq.getEventTypeId(), ds ? ds.getElement('TransactionUID') : '',
    count(ds, 'ReferencedSOPSequence'), count(ds, 'FailedSOPSequence'),
  ].join('\t');
  process.stdout.write(eventLine + '\n');
  const response = NEventReportResponse.fromRequest(rq);
  response.setStatus(Status.Success);
  callback(response);
});
client.on('networkError', (e) => {
  process.stderr.write(`network error: ${e.message}\n`);
});
client.on('closed', () => {
  clearTimeout(timer);
  process.exit(actionStatus === Status.Success && eventLine ? 0 : 1);
});
client.addRequest(request);
// The event report comes after the N-ACTION-RSP: the association is kept open a while for it.
client.send(host, Number(portText), callingAe, calledAe, { associationLingerTimeout: 3000 });
const timer = setTimeout(() => {
  process.stderr.write('dimse_commitment.js: no answer within 30 s\n');
  process.exit(1);
}, 30000);
