// Assertions on Result values shared by the value tests.
#pragma once

#include <gtest/gtest.h>

#include <dicomkit/base/error.hpp>

/// Expects `result` to fail with `code`; prints the value it held otherwise.
#define EXPECT_ERROR(result, expected_code)                                         \
    do {                                                                            \
        const auto& r_ = (result);                                                  \
        EXPECT_FALSE(r_.has_value()) << "expected " #expected_code " for " #result; \
        if (!r_.has_value()) {                                                      \
            EXPECT_EQ(r_.error().code, (expected_code)) << r_.error().to_string();  \
        }                                                                           \
    } while (0)
