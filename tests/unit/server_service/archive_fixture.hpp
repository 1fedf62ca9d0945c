// A data folder for the storage tests: DATA/storage/, a SQLite index, a FileStore and an Ingest,
// and small Part 10 files whose Instance Number tells one copy from another.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>
#include <dicomkit/server/service/ingest.hpp>
#include <dicomkit/server/service/query.hpp>
#include <dicomkit/server/storage/file_store.hpp>

namespace dicomkit::server::service::test {

namespace fs = std::filesystem;

class Archive : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        root_ = (fs::temp_directory_path() / ("dk-archive-" + std::to_string(::getpid()) + "-" + std::to_string(n++)))
                    .string();
        fs::remove_all(root_);
        fs::create_directories(root_ + "/storage/.incoming");
        auto ix = index::sqlite::SqliteIndex::open(root_ + "/index.db");
        ASSERT_TRUE(ix) << ix.error().to_string();
        index_ = std::move(*ix);
        files_ = std::make_unique<storage::FileStore>(root_, false);
        use(index::DuplicatePolicy::Replace);
    }
    void TearDown() override {
        ingest_.reset();
        index_.reset();
        fs::remove_all(root_);
    }
    void use(index::DuplicatePolicy p) {
        ingest_.reset();
        ingest_ = std::make_unique<Ingest>(*index_, *files_, p, options_);
    }

    /// A Part 10 file of instance `uid` in study 1.2 / series 1.2.3, Instance Number `version`.
    static Bytes part10(const std::string& uid, int version) {
        io::DicomFile f;
        f.dataset.set_string(tags::SOPClassUID, VR::UI, "1.2.840.10008.5.1.4.1.1.7");
        f.dataset.set_string(tags::SOPInstanceUID, VR::UI, uid);
        f.dataset.set_string(tags::PatientID, VR::LO, "P1");
        f.dataset.set_string(tags::StudyInstanceUID, VR::UI, "1.2");
        f.dataset.set_string(tags::SeriesInstanceUID, VR::UI, "1.2.3");
        f.dataset.set_string(tags::InstanceNumber, VR::IS, std::to_string(version));
        f.meta = io::make_meta(f.dataset, io::ts::ExplicitVRLittleEndian);
        auto b = io::encode_file(f);
        EXPECT_TRUE(b) << b.error().to_string();
        return b ? *b : Bytes{};
    }
    /// Writes `bytes` to DATA/`rel` and returns the absolute path.
    std::string put(const std::string& rel, const Bytes& bytes) {
        const std::string p = root_ + "/" + rel;
        std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                  static_cast<std::streamsize>(bytes.size()));
        return p;
    }
    /// A temporary file as a C-STORE leaves it (in storage/.incoming), holding `uid` version `version`.
    std::string temp(const std::string& uid, int version) {
        static std::atomic<int> n{0};
        return put("storage/.incoming/.dk-t" + std::to_string(n++) + "xxxx.part", part10(uid, version));
    }
    /// The names in DATA/storage (and .incoming/NAME in its .incoming), once everything
    /// answered is indexed (when stores are answered first, the copy a replacement replaced is
    /// removed after the index commit).
    std::set<std::string> names() const {
        if (ingest_) ingest_->wait_indexed();
        std::set<std::string> s;
        for (const auto& e : fs::directory_iterator(root_ + "/storage"))
            if (e.path().filename() != ".incoming") s.insert(e.path().filename().string());
        if (fs::exists(root_ + "/storage/.incoming"))
            for (const auto& e : fs::directory_iterator(root_ + "/storage/.incoming"))
                s.insert(".incoming/" + e.path().filename().string());
        return s;
    }
    /// The Instance Number in the file at `rel`, "" when it does not read.
    std::string version_in(const std::string& rel) const {
        auto f = io::read_file(root_ + "/" + rel);
        return f ? std::string(f->dataset.string_or(tags::InstanceNumber)) : "";
    }
    /// The Instance Number the index holds for `uid`.
    std::string indexed_version(const std::string& uid) {
        if (ingest_) ingest_->wait_indexed();
        DataSet q;
        q.set_string(tags::QueryRetrieveLevel, VR::CS, "IMAGE");
        q.set_string(tags::StudyInstanceUID, VR::UI, "1.2");
        q.set_string(tags::SeriesInstanceUID, VR::UI, "1.2.3");
        q.set_string(tags::SOPInstanceUID, VR::UI, uid);
        q.set_string(tags::InstanceNumber, VR::IS, "");
        std::string v;
        auto n = service::Query(*index_).find(model::Root::Study, q, [&](const DataSet& m) {
            v = std::string(m.string_or(tags::InstanceNumber));
            return true;
        });
        EXPECT_TRUE(n) << n.error().message;
        return v;
    }
    std::string path_of(const std::string& uid) {
        if (ingest_) ingest_->wait_indexed();
        auto f = index_->instance(uid);
        return f && *f ? (*f)->path : "";
    }

    std::string root_;
    std::unique_ptr<index::Index> index_;
    std::unique_ptr<storage::FileStore> files_;
    std::unique_ptr<Ingest> ingest_;
    IngestOptions options_;  ///< for use()
};

/// Archive with stores answered after indexing (false) and before (true: answer_when_placed).
class IngestModes : public Archive, public ::testing::WithParamInterface<bool> {
protected:
    void SetUp() override {
        options_.answer_when_placed = GetParam();
        Archive::SetUp();
    }
};

}  // namespace dicomkit::server::service::test
