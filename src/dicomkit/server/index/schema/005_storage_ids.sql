-- 005: the index names each stored copy by its id in storage (server/storage BlobStore: a name
-- relative to the store, "1.2.3.dcm"), no longer by its path under the data folder
-- ("storage/1.2.3.dcm"): the column keeps its name, the "storage/" of the paths written before
-- goes. Anything else (an absolute path, which no version wrote) is left as it is.
UPDATE instance SET path = substr(path, 9) WHERE substr(path, 1, 8) = 'storage/';
UPDATE object SET path = substr(path, 9) WHERE substr(path, 1, 8) = 'storage/';
