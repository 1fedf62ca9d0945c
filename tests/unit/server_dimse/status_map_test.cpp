// status_map: each service error kind answered with the status its command defines.
#include <gtest/gtest.h>

#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/dimse/status_map.hpp>

namespace dicomkit::server::dimse {
namespace {

using service::ErrorKind;

struct Row {
    ErrorKind kind;
    std::uint16_t store, find, move, get;
};

// PS3.4 B.2.3, C.4.1.1.4, C.4.2.1.5, C.4.3.1.4; PS3.7 Annex C.
constexpr Row kTable[] = {
    {ErrorKind::OutOfResources, 0xA700, 0xA700, 0xA701, 0xA701},
    {ErrorKind::BadIdentifier, 0xA900, 0xA900, 0xA900, 0xA900},
    {ErrorKind::UnableToProcess, 0xC000, 0xC001, 0xC001, 0xC001},
    {ErrorKind::NotAuthorized, 0x0124, 0x0124, 0x0124, 0x0124},
    {ErrorKind::NoSuchObject, 0xC000, 0xC001, 0xC001, 0xC001},
    {ErrorKind::Unsupported, 0x0122, 0x0122, 0x0122, 0x0122},
    {ErrorKind::UnknownDestination, 0xC000, 0xC001, 0xA801, 0xC001},
    {ErrorKind::DuplicateRefused, 0x0124, 0xC001, 0xC001, 0xC001},
    {ErrorKind::Cancelled, 0xC000, 0xFE00, 0xFE00, 0xFE00},
};

TEST(StatusMap, CompositeCommands) {
    for (const Row& r : kTable) {
        SCOPED_TRACE(std::string(service::to_string(r.kind)));
        EXPECT_EQ(dimse_status(r.kind, Operation::Store), r.store);
        EXPECT_EQ(dimse_status(r.kind, Operation::Find), r.find);
        EXPECT_EQ(dimse_status(r.kind, Operation::Move), r.move);
        EXPECT_EQ(dimse_status(r.kind, Operation::Get), r.get);
    }
}

TEST(StatusMap, FailuresAreFailures) {
    // Whatever the kind, the status is a failure (or Cancel): never Success, Pending or Warning.
    for (const Row& r : kTable)
        for (Operation op : {Operation::Echo, Operation::Store, Operation::Find, Operation::Move, Operation::Get,
                             Operation::NCreate, Operation::NSet, Operation::NGet, Operation::NAction,
                             Operation::NDelete, Operation::NEventReport}) {
            const auto k = net::dimse::status_kind(dimse_status(r.kind, op));
            EXPECT_TRUE(k == net::dimse::StatusKind::Failure || k == net::dimse::StatusKind::Cancel)
                << service::to_string(r.kind) << " " << to_string(op);
        }
}

TEST(StatusMap, NormalizedCommands) {
    EXPECT_EQ(dimse_status(ErrorKind::NoSuchObject, Operation::NGet), 0x0112);
    EXPECT_EQ(dimse_status(ErrorKind::DuplicateRefused, Operation::NCreate), 0x0111);
    EXPECT_EQ(dimse_status(ErrorKind::OutOfResources, Operation::NAction), 0x0213);
    EXPECT_EQ(dimse_status(ErrorKind::BadIdentifier, Operation::NSet), 0x0106);
    EXPECT_EQ(dimse_status(ErrorKind::UnableToProcess, Operation::NEventReport), 0x0110);
    EXPECT_EQ(dimse_status(ErrorKind::NotAuthorized, Operation::NDelete), 0x0124);
    EXPECT_EQ(dimse_status(ErrorKind::NotAuthorized, Operation::Echo), 0x0124);
}

TEST(StatusMap, OutcomeCarriesTheMessage) {
    const auto o = outcome_of({ErrorKind::OutOfResources, "database is locked"}, Operation::Find);
    EXPECT_EQ(o.status, 0xA700);
    EXPECT_EQ(o.error_comment, "database is locked");
    EXPECT_EQ(to_string(Operation::Move), "C-MOVE");
}

}  // namespace
}  // namespace dicomkit::server::dimse
