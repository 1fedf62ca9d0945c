-- 007: the workflow services' own records. Modality Performed Procedure Steps (PS3.4 F): the
-- data set as last set (Explicit VR Little Endian), its status and the studies it names; Storage
-- Commitment transactions (PS3.4 J): what was asked, by whom, what was found, and how the report
-- to the requester went (kept so that a restart resumes the reports still owed).
CREATE TABLE mpps (
    sop_instance_uid TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    dataset BYTEA NOT NULL,
    study_uids TEXT NOT NULL DEFAULT '',   -- backslash-separated Study Instance UIDs
    created BIGINT NOT NULL,               -- seconds since 1970
    updated BIGINT NOT NULL
);
CREATE INDEX mpps_by_updated ON mpps (updated);
CREATE TABLE commitment (
    transaction_uid TEXT PRIMARY KEY,
    requester_ae TEXT NOT NULL,
    state TEXT NOT NULL,                   -- pending, reported, failed
    requested TEXT NOT NULL,               -- one "class\instance" per line
    committed TEXT NOT NULL DEFAULT '',    -- the same
    failed TEXT NOT NULL DEFAULT '',       -- "class\instance\reason(hex)" per line
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL
);
CREATE INDEX commitment_by_state ON commitment (state);
