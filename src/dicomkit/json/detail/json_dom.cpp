// The SAX handler that builds a JsonNode tree.
#include <dicomkit/json/detail/json_dom.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace dicomkit::json::detail {

namespace {

using nlohmann::json;

class TreeBuilder {
  public:
    explicit TreeBuilder(std::size_t max_nesting) : max_nesting_(max_nesting) {}

    bool null() { return add(JsonNode{}) != nullptr; }
    bool boolean(bool b) {
        JsonNode n;
        n.kind = JsonNode::Kind::Boolean;
        n.boolean = b;
        return add(std::move(n)) != nullptr;
    }
    bool number_integer(json::number_integer_t v) { return number(std::to_string(v)); }
    bool number_unsigned(json::number_unsigned_t v) { return number(std::to_string(v)); }
    bool number_float(json::number_float_t, const json::string_t& s) { return number(s); }
    bool string(json::string_t& s) {
        JsonNode n;
        n.kind = JsonNode::Kind::String;
        n.text = std::move(s);
        return add(std::move(n)) != nullptr;
    }
    bool binary(json::binary_t&) { return false; }  // never produced by JSON text
    bool start_object(std::size_t) { return open(JsonNode::Kind::Object); }
    bool key(json::string_t& k) {
        key_ = std::move(k);
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(JsonNode::Kind::Array); }
    bool end_array() { return close(); }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& ex) {
        std::string_view what = ex.what();
        // "[json.exception.parse_error.101] parse error at ...": keep the part after the id.
        if (auto p = what.find("] "); p != std::string_view::npos) what.remove_prefix(p + 2);
        error_ = std::move(Error(ErrorCode::ParseError, std::string(what))).at_offset(position);
        return false;
    }

    Result<JsonNode> result() {
        if (error_.code != ErrorCode::Ok) return Unexpected(std::move(error_));
        return std::move(root_);
    }

  private:
    bool number(std::string text) {
        JsonNode n;
        n.kind = JsonNode::Kind::Number;
        n.text = std::move(text);
        return add(std::move(n)) != nullptr;
    }

    JsonNode* add(JsonNode n) {
        if (stack_.empty()) {
            root_ = std::move(n);
            return &root_;
        }
        JsonNode* top = stack_.back();
        if (top->kind == JsonNode::Kind::Array) {
            top->items.push_back(std::move(n));
            return &top->items.back();
        }
        top->members.push_back(JsonMember{std::move(key_), std::move(n)});
        return &top->members.back().value;
    }

    bool open(JsonNode::Kind kind) {
        if (stack_.size() >= max_nesting_) {
            error_ = Error(ErrorCode::LimitExceeded,
                           fmt::format("JSON nesting deeper than {} levels", max_nesting_));
            return false;
        }
        JsonNode n;
        n.kind = kind;
        JsonNode* p = add(std::move(n));
        stack_.push_back(p);
        return true;
    }

    bool close() {
        stack_.pop_back();
        return true;
    }

    std::size_t max_nesting_;
    JsonNode root_;
    std::vector<JsonNode*> stack_;
    std::string key_;
    Error error_;
};

}  // namespace

std::string_view kind_name(JsonNode::Kind kind) noexcept {
    switch (kind) {
        case JsonNode::Kind::Null:
            return "null";
        case JsonNode::Kind::Boolean:
            return "a boolean";
        case JsonNode::Kind::Number:
            return "a number";
        case JsonNode::Kind::String:
            return "a string";
        case JsonNode::Kind::Array:
            return "an array";
        case JsonNode::Kind::Object:
            return "an object";
    }
    return "?";
}

Result<JsonNode> parse_json(std::string_view text, std::size_t max_nesting) {
    TreeBuilder builder(max_nesting);
    try {
        (void)json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, true);
    } catch (const std::exception& ex) {
        return make_error(ErrorCode::ParseError, ex.what());
    }
    return builder.result();
}

}  // namespace dicomkit::json::detail
