// PS3.15 A.5.3 audit messages.
#include <dicomkit/audit/events.hpp>

#include <algorithm>

namespace dicomkit::audit {

Participant application(std::string_view user_id, std::string_view ae_title, std::string_view address,
                        bool requestor) {
    Participant p;
    p.user_id = std::string(user_id.empty() ? ae_title : user_id);
    if (!ae_title.empty()) p.alternative_user_id = "AETITLES=" + std::string(ae_title);
    p.network_address = std::string(address);
    p.requestor = requestor;
    return p;
}

void StudyRecord::add(std::string_view sop_class, std::string_view instance_uid, bool keep_uid) {
    auto it = std::find_if(sop_classes.begin(), sop_classes.end(), [&](const SopClass& s) { return s.uid == sop_class; });
    if (it == sop_classes.end()) {
        sop_classes.push_back(SopClass{std::string(sop_class), 0, {}});
        it = sop_classes.end() - 1;
    }
    ++it->instances;
    if (keep_uid && !instance_uid.empty()) it->instance_uids.emplace_back(instance_uid);
}

std::uint64_t StudyRecord::instances() const {
    std::uint64_t n = 0;
    for (const SopClass& s : sop_classes) n += s.instances;
    return n;
}

std::vector<ParticipantObject> study_objects(const StudyRecord& study) {
    std::vector<ParticipantObject> out;
    // Instances refused before their study was read have none: the message says what failed.
    if (!study.study_uid.empty()) {
        ParticipantObject s;
        s.id = study.study_uid;
        s.type = 2;
        s.role = 3;
        s.id_type = codes::StudyInstanceUid;
        s.sop_classes = study.sop_classes;
        s.accessions = study.accessions;
        out.push_back(std::move(s));
    }
    if (!study.patient_id.empty()) {
        ParticipantObject p;
        p.id = study.patient_id;
        p.type = 1;
        p.role = 1;
        p.id_type = codes::PatientNumber;
        p.name = study.patient_name;
        out.push_back(std::move(p));
    }
    return out;
}

namespace {

Message event(const Code& id, char action, Outcome outcome, std::string_view why) {
    Message m;
    m.event_id = id;
    m.action = action;
    m.outcome = outcome;
    if (outcome != Outcome::Success) m.outcome_description = std::string(why);
    return m;
}

Participant with_role(Participant p, const Code& role) {
    p.role = role;
    return p;
}

}  // namespace

Message application_activity(bool start, Participant app, std::string_view launcher, Outcome outcome) {
    Message m = event(codes::ApplicationActivity, 'E', outcome, {});
    m.event_types.push_back(start ? codes::ApplicationStart : codes::ApplicationStop);
    m.participants.push_back(with_role(std::move(app), codes::Application));
    if (!launcher.empty()) {
        Participant l;
        l.user_id = std::string(launcher);
        l.requestor = true;
        l.role = codes::ApplicationLauncher;
        m.participants.push_back(std::move(l));
    }
    return m;
}

Message instances_transferred(char action, Participant source, Participant destination, std::vector<Participant> others,
                              const StudyRecord& study, Outcome outcome, std::string_view why) {
    Message m = event(codes::InstancesTransferred, action, outcome, why);
    m.participants.push_back(with_role(std::move(source), codes::SourceRole));
    m.participants.push_back(with_role(std::move(destination), codes::DestinationRole));
    for (Participant& p : others) m.participants.push_back(std::move(p));
    m.objects = study_objects(study);
    return m;
}

Message begin_transferring(Participant source, Participant destination, std::vector<Participant> others,
                           const StudyRecord& study) {
    Message m = event(codes::BeginTransferring, 'E', Outcome::Success, {});
    m.participants.push_back(with_role(std::move(source), codes::SourceRole));
    m.participants.push_back(with_role(std::move(destination), codes::DestinationRole));
    for (Participant& p : others) m.participants.push_back(std::move(p));
    m.objects = study_objects(study);
    return m;
}

Message query(Participant requestor, Participant responder, std::string_view sop_class, std::string_view query_bytes,
              Outcome outcome, std::string_view why) {
    Message m = event(codes::Query, 'E', outcome, why);
    requestor.requestor = true;
    responder.requestor = false;
    m.participants.push_back(with_role(std::move(requestor), codes::SourceRole));
    m.participants.push_back(with_role(std::move(responder), codes::DestinationRole));
    ParticipantObject q;
    q.id = std::string(sop_class);
    q.type = 2;
    q.role = 3;
    q.id_type = codes::SopClassUid;
    q.query = std::string(query_bytes);
    // PS3.15 A.5.3.12: the transfer syntax of the query, when it is a DICOM identifier.
    if (!query_bytes.empty() && sop_class.rfind("1.2.840.10008.", 0) == 0)
        q.details.emplace_back("TransferSyntax", "1.2.840.10008.1.2.1");
    m.objects.push_back(std::move(q));
    return m;
}

Message instances_accessed(char action, std::vector<Participant> participants, const StudyRecord& study,
                           Outcome outcome, std::optional<int> life_cycle, std::string_view why) {
    Message m = event(codes::InstancesAccessed, action, outcome, why);
    m.participants = std::move(participants);
    m.objects = study_objects(study);
    if (life_cycle && !m.objects.empty()) {
        m.objects.front().life_cycle = life_cycle;
        if (*life_cycle == kLifeCycleDeidentification) m.objects.front().anonymized = true;
    }
    return m;
}

Message study_deleted(std::vector<Participant> participants, const StudyRecord& study, Outcome outcome,
                      std::string_view why) {
    Message m = event(codes::StudyDeleted, 'D', outcome, why);
    m.participants = std::move(participants);
    m.objects = study_objects(study);
    return m;
}

Message security_alert(const Code& type, Participant reporter, std::optional<Participant> subject,
                       std::string_view description, Outcome outcome) {
    Message m = event(codes::SecurityAlert, 'E', outcome, description);
    m.event_types.push_back(type);
    reporter.requestor = true;
    m.participants.push_back(std::move(reporter));
    if (subject) {
        subject->requestor = false;
        m.participants.push_back(*subject);
        // A.5.3.11: the alert's subject, here the node that was refused.
        ParticipantObject o;
        o.id = subject->network_address.empty() ? subject->user_id : subject->network_address;
        o.type = 2;
        o.role = 13;  // RFC 3881: security resource
        o.id_type = codes::NodeId;
        o.description = std::string(description);
        if (!subject->alternative_user_id.empty()) o.name = subject->alternative_user_id;
        m.objects.push_back(std::move(o));
    }
    return m;
}

Message user_authentication(Participant user, Participant node, Outcome outcome, std::string_view why) {
    Message m = event(codes::UserAuthentication, 'E', outcome, why);
    m.event_types.push_back(codes::Login);
    user.requestor = true;
    m.participants.push_back(std::move(user));
    m.participants.push_back(std::move(node));
    return m;
}

}  // namespace dicomkit::audit
