-- 003 (as in SQLite's 003): series by (study, modality) instead of by study alone. A study's distinct modalities (kept
-- in study.modalities by the triggers of 002, and matched by ModalitiesInStudy) are then an
-- ordered index range instead of a temporary B-tree per study. Every use of the old index
-- (series of a study) is a prefix of the new one.
CREATE INDEX series_study_modality_idx ON series(study_pk, modality);
DROP INDEX series_study_idx;
