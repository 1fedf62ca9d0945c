// Reassembly of DIMSE messages from PDVs.
#include <dicomkit/net/dimse/assembler.hpp>

#include <string>

namespace dicomkit::net::dimse {

MessageAssembler::MessageAssembler(SinkChooser choose, AssemblerLimits limits)
    : choose_(std::move(choose)), limits_(limits) {}

MessageAssembler::~MessageAssembler() { abort(); }

void MessageAssembler::abort() noexcept {
    if (current_.dataset) current_.dataset->abort();
    current_ = Message{};
    command_bytes_.clear();
    state_ = State::Idle;
}

const Command* MessageAssembler::pending_command() const noexcept {
    return state_ == State::Data ? &current_.command : nullptr;
}

Unexpected MessageAssembler::fail(ErrorCode code, std::string message) {
    abort();
    return make_error(code, std::move(message) + " (PS3.8 Annex E)");
}

Result<std::optional<Message>> MessageAssembler::push(const pdu::PdvView& pdv) {
    if (state_ != State::Idle && pdv.context_id != context_id_)
        return fail(ErrorCode::InvalidValue, "presentation context changed from " + std::to_string(context_id_) +
                                                 " to " + std::to_string(pdv.context_id) + " within a message");
    if (pdv.data.size() % 2 != 0) return fail(ErrorCode::InvalidLength, "fragment of odd length");
    if (pdv.command) return on_command(pdv);
    return on_data(pdv);
}

Result<std::optional<Message>> MessageAssembler::on_command(const pdu::PdvView& pdv) {
    if (state_ == State::Data) return fail(ErrorCode::InvalidValue, "command fragment in the middle of a data set");
    if (state_ == State::Idle) {
        state_ = State::Command;
        context_id_ = pdv.context_id;
        command_bytes_.clear();
    }
    if (command_bytes_.size() + pdv.data.size() > limits_.max_command_bytes)
        return fail(ErrorCode::LimitExceeded,
                    "command set larger than " + std::to_string(limits_.max_command_bytes) + " bytes");
    command_bytes_.insert(command_bytes_.end(), pdv.data.begin(), pdv.data.end());
    if (!pdv.last) return std::optional<Message>{};
    auto command = decode(command_bytes_);
    if (!command) {
        Error e = command.error();
        abort();
        e.message = "command set: " + e.message;
        return tl::unexpected(std::move(e));
    }
    command_bytes_.clear();
    current_.context_id = context_id_;
    current_.command = std::move(*command);
    if (!current_.command.has_dataset) {
        state_ = State::Idle;
        return std::optional<Message>(std::exchange(current_, Message{}));
    }
    auto sink = choose_ ? choose_(context_id_, current_.command)
                        : Result<std::unique_ptr<DataSink>>(std::make_unique<DiscardSink>());
    if (sink && *sink) {
        current_.dataset = std::move(*sink);
    } else {
        if (!sink) current_.dataset_error = sink.error();
        current_.dataset = std::make_unique<DiscardSink>();
    }
    state_ = State::Data;
    return std::optional<Message>{};
}

void MessageAssembler::discard_rest(Error error) {
    current_.dataset->abort();
    auto discard = std::make_unique<DiscardSink>();
    current_.dataset = std::move(discard);
    if (!current_.dataset_error) current_.dataset_error = std::move(error);
}

Result<std::optional<Message>> MessageAssembler::on_data(const pdu::PdvView& pdv) {
    if (state_ == State::Idle) return fail(ErrorCode::InvalidValue, "data fragment without a command before it");
    if (state_ == State::Command) return fail(ErrorCode::InvalidValue, "data fragment before the command's last fragment");
    if (auto r = current_.dataset->write(pdv.data); !r) discard_rest(r.error());
    if (!pdv.last) return std::optional<Message>{};
    if (auto r = current_.dataset->finish(); !r) discard_rest(r.error());
    state_ = State::Idle;
    return std::optional<Message>(std::exchange(current_, Message{}));
}

}  // namespace dicomkit::net::dimse
