// An SR document as text (a line per content item, in the layout of DCMTK's dsrdump with
// position numbers) or as JSON (the tree as nested objects).
#pragma once

#include <string>

#include <dicomkit/sr/document.hpp>

namespace dicomkit::sr {

struct TextOptions {
    bool header = true;          ///< the document header before the tree
    bool sop_class_uids = false; ///< referenced SOP classes as quoted UIDs, not keywords
    bool problems = true;        ///< a "! ..." line under each item for each of its problems
};

/// The document as text, ending in a newline. Lines of the tree:
///   1.2.1  <contains TEXT:(1234,99_OFFIS_DCMTK,"Text Code")="A mass of">
///   1.3.3.1  <selected from 1.3.2>
///   1.5  ! (0040,A730)[4]: unknown Value Type 'FOO'
[[nodiscard]] std::string to_text(const Document& doc, const TextOptions& options = {});

/// One content item's line without position and problems ("<contains TEXT:(...)="...">").
[[nodiscard]] std::string item_line(const ContentItem& item, const TextOptions& options = {});

/// The document as a JSON object (2-space indentation, UTF-8, ending in a newline):
/// {"document": {...header...}, "itemCount": N, "problemCount": N, "content": ITEM}, each ITEM
/// {"position", "relationship", "valueType", "conceptName": {"value", "scheme", "meaning"}, the
/// value's members, "problems": [...], "children": [ITEM...]}.
[[nodiscard]] std::string to_json(const Document& doc);

}  // namespace dicomkit::sr
