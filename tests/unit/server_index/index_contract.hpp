// The Index contract: tests every backend must pass. A backend's test file instantiates
// IndexContract with a factory for a fresh, empty index.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include <dicomkit/server/index/index.hpp>

namespace dicomkit::server::index::test {

using IndexFactory = std::function<std::unique_ptr<Index>()>;

class IndexContract : public ::testing::TestWithParam<IndexFactory> {
protected:
    void SetUp() override;
    std::unique_ptr<Index> index_;
};

}  // namespace dicomkit::server::index::test
