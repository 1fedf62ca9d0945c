// The text forms of WorkflowStore's lists, shared by the backends.
#include <charconv>
#include <cstdio>

#include <dicomkit/server/index/workflow_store.hpp>

namespace dicomkit::server::index {

const char* to_string(CommitmentState s) noexcept {
    switch (s) {
        case CommitmentState::Pending: return "pending";
        case CommitmentState::Reported: return "reported";
        case CommitmentState::Failed: return "failed";
    }
    return "pending";
}

std::optional<CommitmentState> parse_commitment_state(const std::string& s) noexcept {
    if (s == "pending") return CommitmentState::Pending;
    if (s == "reported") return CommitmentState::Reported;
    if (s == "failed") return CommitmentState::Failed;
    return std::nullopt;
}

std::string join_items(const std::vector<CommitmentItem>& items, bool with_reason) {
    std::string out;
    for (const CommitmentItem& i : items) {
        out += i.sop_class_uid;
        out += '\\';
        out += i.sop_instance_uid;
        if (with_reason) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "%04X", i.failure_reason);
            out += '\\';
            out += buf;
        }
        out += '\n';
    }
    return out;
}

std::vector<CommitmentItem> split_items(const std::string& text) {
    std::vector<CommitmentItem> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty()) continue;
        CommitmentItem item;
        const std::size_t a = line.find('\\');
        if (a == std::string::npos) {
            item.sop_instance_uid = line;
        } else {
            item.sop_class_uid = line.substr(0, a);
            const std::size_t b = line.find('\\', a + 1);
            item.sop_instance_uid = line.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
            if (b != std::string::npos) {
                unsigned v = 0;
                const std::string r = line.substr(b + 1);
                std::from_chars(r.data(), r.data() + r.size(), v, 16);
                item.failure_reason = static_cast<std::uint16_t>(v);
            }
        }
        out.push_back(std::move(item));
    }
    return out;
}

std::string join_uids(const std::vector<std::string>& uids) {
    std::string out;
    for (const std::string& u : uids) {
        if (!out.empty()) out += '\\';
        out += u;
    }
    return out;
}

std::vector<std::string> split_uids(const std::string& text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= text.size() && !text.empty()) {
        std::size_t end = text.find('\\', pos);
        if (end == std::string::npos) end = text.size();
        if (end > pos) out.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

}  // namespace dicomkit::server::index
