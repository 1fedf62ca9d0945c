// Editing attributes of a data set by tag path, as `dicomkit modify` does: set (insert or
// modify), modify (existing only), delete, erase a tag at every level, erase private elements or
// whole groups, and fresh UIDs for a set of files whose references to each other keep resolving.
//
// Values are given as text and encoded for the element's VR: strings in the data set's Specific
// Character Set (a character it cannot hold is an error), numbers for US/SS/UL/SL/UV/SV/FL/FD,
// tags for AT, hex bytes or words for OB/OW/UN ("00\\1f"), or raw bytes from a file. Elements
// not edited keep their encoded bytes.
#pragma once

#include <cstdint>
#include <dicomkit/base/error.hpp>
#include <dicomkit/core/charset.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/deid/tag_path.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dicomkit::deid {

enum class EditOp : std::uint8_t {
    Set,     ///< insert or modify; creates sequences, items and private blocks on the way (dcmodify
             ///< -i)
    Modify,  ///< existing elements only; none matched is an error (dcmodify -m)
    Delete,  ///< the element(s) or item(s) the path names; none matched is an error (dcmodify -e)
    EraseAll,  ///< a tag at every nesting level (dcmodify -ea); the path is one step
};

struct Edit {
    EditOp op = EditOp::Set;
    TagPath path;
    std::string value;  ///< UTF-8 text (Set/Modify)
    std::optional<Bytes>
        binary;  ///< the value's bytes as they are to be stored, instead of `value`
};

/// "PATH=VALUE" for Set/Modify (the first '=' outside the path's brackets, quotes and parentheses
/// splits), "PATH" for Delete/EraseAll. Errors name the argument and the column.
[[nodiscard]] Result<Edit> parse_edit(EditOp op, std::string_view argument);

/// One change made (or, in a dry run, that would be made).
struct Change {
    enum class Kind : std::uint8_t { Changed, Inserted, Deleted };
    Kind kind = Kind::Changed;
    std::string path;       ///< concrete path, items numbered: (0008,1140)[0].(0008,1155)
    std::string old_value;  ///< for display ("" when inserted)
    std::string new_value;  ///< for display ("" when deleted)
};

/// "path: old -> new", "path: inserted new", "path: deleted (old)".
[[nodiscard]] std::string to_string(const Change& c);

/// A map from old to fresh UIDs shared by every file of a run (thread-safe while collecting).
/// collect() records the UIDs that identify the files of the set (SOP Instance, Study, Series,
/// Frame of Reference UIDs at the top level) and gives each a new one; apply() then replaces every
/// UI value of a data set, at any level, that the map holds: the identifying elements and every
/// reference to them (Referenced SOP Instance UID, Referenced Frame of Reference UID, ...). A
/// reference to an object outside the set keeps its UID.
class UidMap {
  public:
    void collect(const DataSet& ds);
    /// The new UID for `old`, made now if `old` is not mapped yet.
    std::string map(std::string_view old);
    [[nodiscard]] std::optional<std::string> find(std::string_view old) const;
    [[nodiscard]] std::size_t size() const;
    /// Replaces the mapped UIDs of `ds`; appends what changed to `changes` when given.
    void apply(DataSet& ds, std::vector<Change>* changes = nullptr) const;

  private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::string> map_;
};

/// A new UID under 2.25 (PS3.5 B.2) from 128 random bits.
[[nodiscard]] std::string generate_uid();

struct ModifyOptions {
    std::vector<Edit> edits;
    bool erase_private = false;  ///< every private element, at every level (dcmodify -ep)
    std::vector<std::uint16_t> erase_groups;  ///< every element of these groups, at every level
    /// Modify/Delete that match nothing are not errors (dcmodify -imt).
    bool ignore_missing = false;
    /// With a map, UIDs are replaced (UidMap::apply) before the other edits.
    const UidMap* unique = nullptr;
};

/// Applies `options` to `ds`, in this order: fresh UIDs, erase private, erase groups, then the
/// edits (a Set or Modify of Specific Character Set first, so that the values after it are
/// encoded in the new set; the rest in the order given). Stops at the first error, which names
/// the tag path; `ds` may then be half-edited (the caller writes nothing).
[[nodiscard]] Result<std::vector<Change>> modify(DataSet& ds, const ModifyOptions& options);

/// An element's value for display: strings decoded (at most `max` characters), numbers, "<N
/// bytes>".
[[nodiscard]] std::string display_value(const Element& e, const SpecificCharacterSet* cs = nullptr,
                                        std::size_t max = 64);

}  // namespace dicomkit::deid
