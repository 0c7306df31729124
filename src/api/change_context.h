// Who makes a change and on whose behalf: becomes the actor, origin, group id
// and details of the audit events the change appends.
#pragma once

#include <string>

#include "core/audit.h"
#include "core/random.h"
#include "core/time.h"

namespace postured::api {

struct ChangeContext {
  ChangeContext(core::AuditActor actor_, std::string origin_, core::Timestamp now_)
      : actor(std::move(actor_)), origin(std::move(origin_)), now(now_) {}

  core::AuditActor actor;
  std::string origin;  // CONFIG_API, CONTROL, NODE
  std::string eventGroupId = core::newEventGroupId();
  core::Timestamp now;
  std::string comment;  // goes into actionDetails

  core::AuditEvent event(core::AuditTarget target, std::string action) const {
    core::AuditEvent e;
    e.eventTime = now;
    e.eventGroupId = eventGroupId;
    e.origin = origin;
    e.actor = actor;
    e.target = std::move(target);
    e.action = std::move(action);
    e.actionDetails = comment;
    return e;
  }
};

}  // namespace postured::api
