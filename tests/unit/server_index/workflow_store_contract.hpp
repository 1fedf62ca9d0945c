// The WorkflowStore contract, run against each backend (a fresh store per test).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include <dicomkit/server/index/workflow_store.hpp>

namespace dicomkit::server::index::test {

/// A fresh, empty store (and whatever keeps it alive).
using WorkflowStoreFactory = std::function<std::shared_ptr<WorkflowStore>()>;

class WorkflowStoreContract : public ::testing::TestWithParam<WorkflowStoreFactory> {
protected:
    void SetUp() override {
        store = GetParam()();
        ASSERT_TRUE(store);
    }
    std::shared_ptr<WorkflowStore> store;
};

}  // namespace dicomkit::server::index::test
