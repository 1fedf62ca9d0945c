// IngestOptions::transform: the hook between the received bytes and the index may alter the
// instance (what is stored and indexed is the altered one), give it another SOP Instance UID, or
// refuse it (then nothing is stored or indexed); without a change the received bytes are stored.
#include <fstream>
#include <iterator>

#include <dicomkit/dict/tags.hpp>

#include "archive_fixture.hpp"

namespace dicomkit::server::service::test {
namespace {

using Names = std::set<std::string>;

/// names() less the empty temporary files made ahead for stores to come (FileStore's pool).
Names written(const Names& all, const std::string& root) {
    Names out;
    for (const auto& n : all)
        if (!(n.starts_with(".incoming/") && fs::file_size(root + "/storage/" + n) == 0)) out.insert(n);
    return out;
}

Bytes file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

TEST_P(IngestModes, TransformAltersWhatIsStoredAndIndexed) {
    int calls = 0;
    options_.transform = [&](io::DicomFile& f) {
        ++calls;
        f.dataset.set_string(tags::PatientID, VR::LO, "ANON");
        f.dataset.set_string(tags::InstanceNumber, VR::IS, "77");
        return TransformResult::changed();
    };
    use(index::DuplicatePolicy::Replace);
    auto s = ingest_->store(temp("1.2.3.4", 1));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(s->action, StoreAction::Added);
    EXPECT_EQ(written(names(), root_), (Names{"1.2.3.4.dcm"}));  // the received file is gone, the altered one placed
    EXPECT_EQ(version_in("storage/1.2.3.4.dcm"), "77");
    EXPECT_EQ(indexed_version("1.2.3.4"), "77");
    auto f = io::read_file(root_ + "/storage/1.2.3.4.dcm");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->dataset.string_or(tags::PatientID), "ANON");
    EXPECT_EQ(index_->instance("1.2.3.4")->value().size, fs::file_size(root_ + "/storage/1.2.3.4.dcm"));
}

TEST_P(IngestModes, TransformMayGiveTheInstanceANewUid) {
    options_.transform = [](io::DicomFile& f) {
        f.dataset.set_string(tags::SOPInstanceUID, VR::UI, "2.25.12345");
        f.meta.set_string(tags::MediaStorageSOPInstanceUID, VR::UI, "2.25.12345");
        return TransformResult::changed();
    };
    use(index::DuplicatePolicy::Replace);
    auto s = ingest_->store(temp("1.2.3.4", 3));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->sop_instance_uid, "2.25.12345");
    EXPECT_EQ(s->path, "2.25.12345.dcm");
    EXPECT_EQ(written(names(), root_), (Names{"2.25.12345.dcm"}));
    EXPECT_EQ(path_of("2.25.12345"), "2.25.12345.dcm");
    EXPECT_EQ(path_of("1.2.3.4"), "");
}

TEST_P(IngestModes, ARefusalStoresAndIndexesNothing) {
    options_.transform = [](io::DicomFile& f) {
        if (f.dataset.string_or(tags::InstanceNumber) == "2") return TransformResult::refused("no consent on file");
        return TransformResult::unchanged();
    };
    use(index::DuplicatePolicy::Replace);
    auto refused = ingest_->store(temp("1.2.3.4", 2));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidValue);
    EXPECT_NE(refused.error().message.find("no consent on file"), std::string::npos) << refused.error().message;
    EXPECT_EQ(written(names(), root_), Names{});  // neither in storage nor left in .incoming
    EXPECT_EQ(path_of("1.2.3.4"), "");
    // One the hook lets through is stored as received, byte for byte.
    const std::string t = temp("1.2.3.5", 1);
    const Bytes received = file_bytes(t);
    auto s = ingest_->store(t);
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(written(names(), root_), (Names{"1.2.3.5.dcm"}));
    EXPECT_EQ(file_bytes(root_ + "/storage/1.2.3.5.dcm"), received);
}

TEST_P(IngestModes, ARefusedReplacementLeavesTheStoredCopy) {
    ASSERT_TRUE(ingest_->store(temp("1.2.3.4", 1)));
    options_.transform = [](io::DicomFile&) { return TransformResult::refused("validation failed"); };
    use(index::DuplicatePolicy::Replace);
    ASSERT_FALSE(ingest_->store(temp("1.2.3.4", 2)));
    EXPECT_EQ(written(names(), root_), (Names{"1.2.3.4.dcm"}));
    EXPECT_EQ(indexed_version("1.2.3.4"), "1");
    EXPECT_EQ(version_in("storage/1.2.3.4.dcm"), "1");
}

}  // namespace
}  // namespace dicomkit::server::service::test
