-- 002: series by (study, modality) instead of by study alone. ModalitiesInStudy, a return key of
-- most study-level C-FINDs, lists each study's distinct modalities: with this covering index it is
-- an ordered index range per study instead of a temporary B-tree per matching study (about 3x
-- faster for a study-level query of 192 matches in 1,000,000 instances). Every use of the old
-- index (series of a study) is a prefix of the new one.
CREATE INDEX series_study_modality_idx ON series(study_pk, modality);
DROP INDEX series_study_idx;
