// Storage Commitment Push Model SCP with dcmjs-dimse (PS3.4 J.3), for one association: answers
// the N-ACTION-RQ (Request Storage Commitment) with Success, then sends on the same association an
// N-EVENT-REPORT-RQ (event type 1) that reports every referenced instance committed. Prints
//   listening<TAB>PORT
//   N-ACTION<TAB>TRANSACTION_UID<TAB>REFERENCES
//   N-EVENT-REPORT-RSP<TAB>0xSTATUS
// and exits 0 once the report was answered with Success and the association released.
//   node dimse_commitment_scp.js PORT
'use strict';
const dimse = require('dcmjs-dimse');

const { Dataset, Scp, Server } = dimse;
const { NEventReportRequest } = dimse.requests;
const { CEchoResponse, NActionResponse } = dimse.responses;
const { PresentationContextResult, SopClass, Status, TransferSyntax } = dimse.constants;

dimse.log.setLevel('silent');
require('dcmjs').log.setLevel('silent');

const port = Number(process.argv[2]);
if (!port) {
  process.stderr.write('usage: node dimse_commitment_scp.js PORT\n');
  process.exit(2);
}
const kInstance = '1.2.840.10008.1.20.1.1';
const hex = (s) => '0x' + (s >>> 0).toString(16).toUpperCase().padStart(4, '0');
let reported = false;

class CommitmentScp extends Scp {
  associationRequested(association) {
    this.association = association;
    for (const pc of this.association.getPresentationContexts()) {
      const context = association.getPresentationContext(pc.id);
      const uid = context.getAbstractSyntaxUid();
      if (uid === SopClass.StorageCommitmentPushModel || uid === SopClass.Verification) {
        const ts = context.getTransferSyntaxUids();
        const pick = ts.includes(TransferSyntax.ExplicitVRLittleEndian) ? TransferSyntax.ExplicitVRLittleEndian
                                                                        : TransferSyntax.ImplicitVRLittleEndian;
        context.setResult(PresentationContextResult.Accept, pick);
      } else {
        context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
      }
    }
    this.sendAssociationAccept();
  }
  cEchoRequest(request, callback) {
    const response = CEchoResponse.fromRequest(request);
    response.setStatus(Status.Success);
    callback(response);
  }
  nActionRequest(request, callback) {
    const ds = request.getDataset();
    const tx = ds ? ds.getElement('TransactionUID') : '';
    const refs = ds ? ds.getElement('ReferencedSOPSequence') || [] : [];
    process.stdout.write(`N-ACTION\t${tx}\t${refs.length}\n`);
    const response = NActionResponse.fromRequest(request);
    response.setStatus(Status.Success);
    callback(response);
    const report = new NEventReportRequest(SopClass.StorageCommitmentPushModel, kInstance, 1);
    report.setDataset(new Dataset({ TransactionUID: tx, ReferencedSOPSequence: refs }));
    report.on('response', (r) => {
      process.stdout.write(`N-EVENT-REPORT-RSP\t${hex(r.getStatus())}\n`);
      reported = r.getStatus() === Status.Success;
    });
    setImmediate(() => this.sendRequests(report));
  }
  associationReleaseRequested() {
    this.sendAssociationReleaseResponse();
    setTimeout(() => process.exit(reported ? 0 : 1), 100);
  }
}

const server = new Server(CommitmentScp);
server.on('networkError', (e) => process.stderr.write(`network error: ${e.message}\n`));
server.listen(port);
process.stdout.write(`listening\t${port}\n`);
setTimeout(() => {
  process.stderr.write('dimse_commitment_scp.js: nothing within 60 s\n');
  process.exit(1);
}, 60000);
