// Modality Performed Procedure Step SCU with dcmjs-dimse (PS3.4 F.7): on one association, an
// N-CREATE (status IN PROGRESS) of the given SOP Instance UID, an N-SET to COMPLETED with a
// Performed Series Sequence referencing one image, then a second N-SET (which the SCP must refuse:
// the step is final). Prints one line per response:
//   N-CREATE<TAB>0xSTATUS<TAB>AFFECTED_SOP_INSTANCE_UID
//   N-SET<TAB>0xSTATUS
//   N-SET<TAB>0xSTATUS
// and exits 0 when all three came.
//   node dimse_mpps.js HOST PORT CALLING_AE CALLED_AE MPPS_UID STUDY_UID
'use strict';
const dimse = require('dcmjs-dimse');

const { Client, Dataset } = dimse;
const { NCreateRequest, NSetRequest } = dimse.requests;
const { SopClass } = dimse.constants;

dimse.log.setLevel('silent');
require('dcmjs').log.setLevel('silent');

const [host, portText, callingAe, calledAe, mppsUid, studyUid] = process.argv.slice(2);
if (!studyUid) {
  process.stderr.write('usage: node dimse_mpps.js HOST PORT CALLING_AE CALLED_AE MPPS_UID STUDY_UID\n');
  process.exit(2);
}
if (host !== '127.0.0.1' && host !== '::1') {
  process.stderr.write('dimse_mpps.js: loopback peers only\n');
  process.exit(2);
}
const kMpps = SopClass.ModalityPerformedProcedureStep || '1.2.840.10008.3.1.2.3.3';
const hex = (s) => '0x' + (s >>> 0).toString(16).toUpperCase().padStart(4, '0');
let answered = 0;

const create = new NCreateRequest(kMpps, mppsUid);
create.setDataset(new Dataset({
  ScheduledStepAttributesSequence: [{ StudyInstanceUID: studyUid, ScheduledProcedureStepID: 'SPS1' }],
  PatientName: 'Doe^John',
  PatientID: 'DCMJS1',
  PerformedProcedureStepID: 'PPS-DCMJS',
  PerformedStationAETitle: callingAe,
  PerformedProcedureStepStartDate: '20260101',
  PerformedProcedureStepStartTime: '080000',
  PerformedProcedureStepEndDate: '',
  PerformedProcedureStepEndTime: '',
  PerformedProcedureStepStatus: 'IN PROGRESS',
  Modality: 'CT',
  PerformedSeriesSequence: [],
}));
create.on('response', (r) => {
  answered++;
  process.stdout.write(`N-CREATE\t${hex(r.getStatus())}\t${r.getAffectedSopInstanceUid() || ''}\n`);
});
const complete = new NSetRequest(kMpps, mppsUid);
complete.setDataset(new Dataset({
  PerformedProcedureStepStatus: 'COMPLETED',
  PerformedProcedureStepEndDate: '20260101',
  PerformedProcedureStepEndTime: '083000',
  PerformedSeriesSequence: [{
    SeriesInstanceUID: studyUid + '.1',
    RetrieveAETitle: '',
    PerformingPhysicianName: '',
    ProtocolName: 'CHEST',
    OperatorsName: '',
    SeriesDescription: 'AXIAL',
    ReferencedImageSequence: [{ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2', ReferencedSOPInstanceUID: studyUid + '.1.1' }],
  }],
}));
const late = new NSetRequest(kMpps, mppsUid);
late.setDataset(new Dataset({ PerformedProcedureStepDescription: 'too late' }));
for (const rq of [complete, late]) {
  rq.on('response', (r) => {
    answered++;
    process.stdout.write(`N-SET\t${hex(r.getStatus())}\n`);
  });
}
const client = new Client();
client.on('networkError', (e) => process.stderr.write(`network error: ${e.message}\n`));
client.on('closed', () => {
  clearTimeout(timer);
  process.exit(answered === 3 ? 0 : 1);
});
client.addRequest(create);
client.addRequest(complete);
client.addRequest(late);
client.send(host, Number(portText), callingAe, calledAe);
const timer = setTimeout(() => {
  process.stderr.write('dimse_mpps.js: no answer within 30 s\n');
  process.exit(1);
}, 30000);
