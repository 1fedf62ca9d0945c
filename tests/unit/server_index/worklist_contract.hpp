// The WorklistStore contract: tests every index backend's worklist (Index::worklist()) must pass.
// A backend's test file instantiates WorklistContract with its IndexFactory.
#pragma once

#include "index_contract.hpp"

namespace dicomkit::server::index::test {

class WorklistContract : public ::testing::TestWithParam<IndexFactory> {
protected:
    void SetUp() override;
    std::unique_ptr<Index> index_;
    WorklistStore* store_ = nullptr;
};

}  // namespace dicomkit::server::index::test
