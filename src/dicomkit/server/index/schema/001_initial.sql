-- 001: patient/study/series/instance with the Query/Retrieve keys of PS3.4 C.6 as columns.
-- Text is UTF-8 (decoded with the instance's Specific Character Set); *_upper columns hold the
-- upper-cased person names for case-insensitive matching.
CREATE TABLE patient (
  pk INTEGER PRIMARY KEY,
  patient_id TEXT NOT NULL UNIQUE,
  patient_name TEXT NOT NULL DEFAULT '',
  patient_name_upper TEXT NOT NULL DEFAULT '',
  birth_date TEXT NOT NULL DEFAULT '',
  sex TEXT NOT NULL DEFAULT '',
  charset TEXT NOT NULL DEFAULT ''
);
CREATE INDEX patient_name_idx ON patient(patient_name_upper);
CREATE INDEX patient_birth_idx ON patient(birth_date);

CREATE TABLE study (
  pk INTEGER PRIMARY KEY,
  patient_pk INTEGER NOT NULL REFERENCES patient(pk),
  study_uid TEXT NOT NULL UNIQUE,
  study_date TEXT NOT NULL DEFAULT '',
  study_time TEXT NOT NULL DEFAULT '',
  accession TEXT NOT NULL DEFAULT '',
  study_id TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  referring TEXT NOT NULL DEFAULT '',
  referring_upper TEXT NOT NULL DEFAULT '',
  charset TEXT NOT NULL DEFAULT ''
);
CREATE INDEX study_patient_idx ON study(patient_pk);
CREATE INDEX study_date_idx ON study(study_date, study_time);
CREATE INDEX study_accession_idx ON study(accession);
CREATE INDEX study_id_idx ON study(study_id);

CREATE TABLE series (
  pk INTEGER PRIMARY KEY,
  study_pk INTEGER NOT NULL REFERENCES study(pk),
  series_uid TEXT NOT NULL UNIQUE,
  modality TEXT NOT NULL DEFAULT '',
  series_number TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX series_study_idx ON series(study_pk);
CREATE INDEX series_modality_idx ON series(modality);

CREATE TABLE instance (
  pk INTEGER PRIMARY KEY,
  series_pk INTEGER NOT NULL REFERENCES series(pk),
  sop_uid TEXT NOT NULL UNIQUE,
  sop_class TEXT NOT NULL DEFAULT '',
  instance_number TEXT NOT NULL DEFAULT '',
  transfer_syntax TEXT NOT NULL DEFAULT '',
  path TEXT NOT NULL,
  size INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX instance_series_idx ON instance(series_pk);
CREATE INDEX instance_class_idx ON instance(sop_class);
