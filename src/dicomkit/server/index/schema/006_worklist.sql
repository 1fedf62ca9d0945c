-- 006: Modality Worklist items (PS3.4 K), one row per order (order_key: the placer order number
-- with its namespace, or the key the REST admin gave), each with one Scheduled Procedure Step.
-- item: the item's attributes as a blob (sql/attributes.hpp, text UTF-8); the columns copy what
-- worklist queries filter on (text UTF-8, *_upper upper-cased person names), taken from the item
-- and from its Scheduled Procedure Step Sequence item (sps_*, modality, station_ae, performing).
CREATE TABLE worklist (
  pk INTEGER PRIMARY KEY,
  order_key TEXT NOT NULL UNIQUE,
  patient_id TEXT NOT NULL DEFAULT '',
  issuer TEXT NOT NULL DEFAULT '',
  patient_name TEXT NOT NULL DEFAULT '',
  patient_name_upper TEXT NOT NULL DEFAULT '',
  accession TEXT NOT NULL DEFAULT '',
  modality TEXT NOT NULL DEFAULT '',
  station_ae TEXT NOT NULL DEFAULT '',
  sps_date TEXT NOT NULL DEFAULT '',
  sps_time TEXT NOT NULL DEFAULT '',
  performing_upper TEXT NOT NULL DEFAULT '',
  sps_status TEXT NOT NULL DEFAULT '',
  study_uid TEXT NOT NULL DEFAULT '',
  sps_id TEXT NOT NULL DEFAULT '',
  requested_procedure_id TEXT NOT NULL DEFAULT '',
  item BLOB NOT NULL DEFAULT x''
);
CREATE INDEX worklist_patient_idx ON worklist(patient_id, issuer);
CREATE INDEX worklist_name_idx ON worklist(patient_name_upper);
CREATE INDEX worklist_accession_idx ON worklist(accession);
CREATE INDEX worklist_modality_idx ON worklist(modality, sps_date, sps_time);
CREATE INDEX worklist_station_idx ON worklist(station_ae);
CREATE INDEX worklist_start_idx ON worklist(sps_date, sps_time);
CREATE INDEX worklist_performing_idx ON worklist(performing_upper);
CREATE INDEX worklist_status_idx ON worklist(sps_status);
CREATE INDEX worklist_step_idx ON worklist(study_uid, sps_id);
CREATE INDEX worklist_procedure_idx ON worklist(requested_procedure_id);
