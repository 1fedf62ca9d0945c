-- 002: each level's other attributes as a blob (sql/attributes.hpp), so that any key of the level
-- the instance had can be returned; Modalities in Study kept in study.modalities by triggers
-- on series (the distinct non-empty modalities, sorted, joined with '\').
ALTER TABLE patient ADD COLUMN attrs BLOB NOT NULL DEFAULT x'';
ALTER TABLE study ADD COLUMN attrs BLOB NOT NULL DEFAULT x'';
ALTER TABLE series ADD COLUMN attrs BLOB NOT NULL DEFAULT x'';
ALTER TABLE instance ADD COLUMN attrs BLOB NOT NULL DEFAULT x'';
ALTER TABLE study ADD COLUMN modalities TEXT NOT NULL DEFAULT '';

CREATE TRIGGER series_modalities_insert AFTER INSERT ON series BEGIN
  UPDATE study SET modalities = COALESCE((SELECT group_concat(m, '\') FROM (SELECT DISTINCT modality AS m
    FROM series WHERE study_pk = NEW.study_pk AND modality <> '' ORDER BY m)), '') WHERE pk = NEW.study_pk;
END;
CREATE TRIGGER series_modalities_update AFTER UPDATE OF modality, study_pk ON series
  WHEN OLD.modality IS NOT NEW.modality OR OLD.study_pk IS NOT NEW.study_pk BEGIN
  UPDATE study SET modalities = COALESCE((SELECT group_concat(m, '\') FROM (SELECT DISTINCT modality AS m
    FROM series WHERE study_pk = OLD.study_pk AND modality <> '' ORDER BY m)), '') WHERE pk = OLD.study_pk;
  UPDATE study SET modalities = COALESCE((SELECT group_concat(m, '\') FROM (SELECT DISTINCT modality AS m
    FROM series WHERE study_pk = NEW.study_pk AND modality <> '' ORDER BY m)), '') WHERE pk = NEW.study_pk;
END;
CREATE TRIGGER series_modalities_delete AFTER DELETE ON series BEGIN
  UPDATE study SET modalities = COALESCE((SELECT group_concat(m, '\') FROM (SELECT DISTINCT modality AS m
    FROM series WHERE study_pk = OLD.study_pk AND modality <> '' ORDER BY m)), '') WHERE pk = OLD.study_pk;
END;

UPDATE study SET modalities = COALESCE((SELECT group_concat(m, '\') FROM (SELECT DISTINCT modality AS m
  FROM series x WHERE x.study_pk = study.pk AND modality <> '' ORDER BY m)), '');
