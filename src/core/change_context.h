// Who makes a change and on whose behalf: becomes the actor, origin, group id
// and details of the audit events the change appends.
#pragma once

#include <string>

#include "core/audit.h"
#include "core/random.h"
#include "core/time.h"

namespace postured::core {

struct ChangeContext {
  ChangeContext(AuditActor actor_, std::string origin_, Timestamp now_)
      : actor(std::move(actor_)), origin(std::move(origin_)), now(now_) {}

  AuditActor actor;
  std::string origin;  // CONFIG_API, CONTROL, NODE
  std::string eventGroupId = newEventGroupId();
  Timestamp now;
  std::string comment;  // goes into actionDetails

  AuditEvent event(AuditTarget target, std::string action) const {
    AuditEvent e;
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

}  // namespace postured::core
