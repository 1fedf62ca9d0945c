// Early returns for functions that return a Result (base/error.hpp): the error of a step is the
// function's error.
#pragma once

#include <utility>

#include <dicomkit/base/error.hpp>

/// Returns the error of the Result-valued `expr`, if any.
#define DK_RETURN_IF_ERROR(expr)                                                              \
    do {                                                                                      \
        if (auto dk_r_ = (expr); !dk_r_) return tl::unexpected(std::move(dk_r_.error()));   \
    } while (0)

/// Declares `name` as the value of the Result-valued `expr`, or returns its error.
#define DK_ASSIGN_OR_RETURN(name, expr)                                      \
    auto name##_dk_r = (expr);                                               \
    if (!name##_dk_r) return tl::unexpected(std::move(name##_dk_r.error())); \
    auto name = std::move(*name##_dk_r)
