// Dispatcher routing.
#include <dicomkit/net/dimse/dispatcher.hpp>

namespace dicomkit::net::dimse {

void Dispatcher::on_store(std::shared_ptr<StoreHandler> handler, std::vector<std::string> sop_classes) {
    store_ = std::move(handler);
    store_classes_ = std::unordered_set<std::string>(sop_classes.begin(), sop_classes.end());
}

void Dispatcher::on_find(std::shared_ptr<FindHandler> handler, std::vector<std::string> sop_classes) {
    find_ = std::move(handler);
    find_classes_ = std::unordered_set<std::string>(sop_classes.begin(), sop_classes.end());
}

void Dispatcher::on_move(std::shared_ptr<RetrieveHandler> handler, std::vector<std::string> sop_classes) {
    move_ = std::move(handler);
    move_classes_ = std::unordered_set<std::string>(sop_classes.begin(), sop_classes.end());
}

void Dispatcher::on_get(std::shared_ptr<RetrieveHandler> handler, std::vector<std::string> sop_classes) {
    get_ = std::move(handler);
    get_classes_ = std::unordered_set<std::string>(sop_classes.begin(), sop_classes.end());
}

Dispatcher::Route Dispatcher::route(CommandField field, std::string_view sop_class) const {
    Route r;
    switch (field) {
        case CommandField::C_ECHO_RQ:
            if (!echo_) r.status = status::UnrecognizedOperation;
            else if (sop_class != kVerificationSopClass) r.status = status::SOPClassNotSupported;
            else r.echo = echo_.get();
            return r;
        case CommandField::C_STORE_RQ:
            if (!store_) r.status = status::UnrecognizedOperation;
            else if (!store_classes_.empty() && !store_classes_.contains(std::string(sop_class)))
                r.status = status::SOPClassNotSupported;
            else r.store = store_.get();
            return r;
        case CommandField::C_FIND_RQ:
            if (!find_) r.status = status::UnrecognizedOperation;
            else if (!find_classes_.contains(std::string(sop_class))) r.status = status::SOPClassNotSupported;
            else r.find = find_.get();
            return r;
        case CommandField::C_MOVE_RQ:
        case CommandField::C_GET_RQ: {
            const bool move = field == CommandField::C_MOVE_RQ;
            const auto& handler = move ? move_ : get_;
            if (!handler) r.status = status::UnrecognizedOperation;
            else if (!(move ? move_classes_ : get_classes_).contains(std::string(sop_class)))
                r.status = status::SOPClassNotSupported;
            else r.retrieve = handler.get();
            return r;
        }
        default:
            r.status = status::UnrecognizedOperation;
            return r;
    }
}

}  // namespace dicomkit::net::dimse
