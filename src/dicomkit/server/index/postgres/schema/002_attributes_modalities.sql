-- 002: each level's other attributes as a blob (sql/attributes.hpp), so that any key of the level
-- the instance had can be returned; Modalities in Study kept in study.modalities by triggers
-- on series (the distinct non-empty modalities, sorted, joined with '\'), as in SQLite.
ALTER TABLE patient ADD COLUMN attrs BYTEA NOT NULL DEFAULT '';
ALTER TABLE study ADD COLUMN attrs BYTEA NOT NULL DEFAULT '';
ALTER TABLE series ADD COLUMN attrs BYTEA NOT NULL DEFAULT '';
ALTER TABLE instance ADD COLUMN attrs BYTEA NOT NULL DEFAULT '';
ALTER TABLE study ADD COLUMN modalities TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE FUNCTION study_modalities(study BIGINT) RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT COALESCE(string_agg(DISTINCT modality, E'\\' ORDER BY modality), '') FROM series
  WHERE study_pk = study AND modality <> ''
$$;
CREATE FUNCTION series_modalities_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE study SET modalities = study_modalities(OLD.study_pk) WHERE pk = OLD.study_pk;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE study SET modalities = study_modalities(NEW.study_pk) WHERE pk = NEW.study_pk;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER series_modalities_insert AFTER INSERT ON series
  FOR EACH ROW EXECUTE FUNCTION series_modalities_changed();
CREATE TRIGGER series_modalities_update AFTER UPDATE OF modality, study_pk ON series FOR EACH ROW
  WHEN (OLD.modality IS DISTINCT FROM NEW.modality OR OLD.study_pk IS DISTINCT FROM NEW.study_pk)
  EXECUTE FUNCTION series_modalities_changed();
CREATE TRIGGER series_modalities_delete AFTER DELETE ON series
  FOR EACH ROW EXECUTE FUNCTION series_modalities_changed();

UPDATE study SET modalities = study_modalities(pk);
