-- 004: non-patient objects (PS3.4 GG: Color Palette, Hanging Protocol, implant templates, Defined
-- Procedure Protocols, Protocol Approval, Inventory), whose IODs have no Patient, Study or Series:
-- one row each, beside the patient hierarchy. A SOP Instance UID is in instance or in object, never
-- in both. attrs: the object's attributes as a blob (sql/attributes.hpp), matched and returned by
-- the C-FIND of its Query/Retrieve model.
CREATE TABLE object (
  pk INTEGER PRIMARY KEY,
  sop_uid TEXT NOT NULL UNIQUE,
  sop_class TEXT NOT NULL DEFAULT '',
  transfer_syntax TEXT NOT NULL DEFAULT '',
  path TEXT NOT NULL,
  size INTEGER NOT NULL DEFAULT 0,
  attrs BLOB NOT NULL DEFAULT x''
);
CREATE INDEX object_class_idx ON object(sop_class);
