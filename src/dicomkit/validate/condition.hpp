// Evaluation of the conditions of the validation tables (dicom3tools condn.tpl expressions) on a
// data set, its parents and the root.
#pragma once

#include <span>
#include <string_view>

#include <dicomkit/core/dataset.hpp>
#include <dicomkit/validate/tables.hpp>

namespace dicomkit::validate {

/// Where a condition is evaluated: the current data set (an item, or the root), the scope of the
/// item that holds it (nullptr at the root), the root data set and the File Meta Information
/// (group 0002 looked up in the root is looked up there; may be nullptr).
struct Scope {
    const DataSet* current = nullptr;
    const Scope* parent = nullptr;
    const DataSet* root = nullptr;
    const DataSet* meta = nullptr;
};

/// Terms combine left to right: each term's truth is negated by `negate`, then combined with
/// the result so far by its operator (Or by default, And, Xor), starting from false; "(" ... ")"
/// groups are evaluated the same way and combined by the operator on ")".
[[nodiscard]] bool evaluate_terms(std::span<const tables::Term> terms, const Scope& scope);
/// One term alone, without its operator and negation.
[[nodiscard]] bool evaluate_term(const tables::Term& term, const Scope& scope);
/// A condition by its index in tables::conditions() (kNever, kAlways too); kNoCondition is true.
[[nodiscard]] bool evaluate_condition(std::uint16_t index, const Scope& scope);
/// The index of a condition by name; kNoCondition when unknown.
[[nodiscard]] std::uint16_t find_condition(std::string_view name) noexcept;

}  // namespace dicomkit::validate
