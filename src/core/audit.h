// A configuration audit event in Tailscale's ConfigurationAuditLog shape.
// Events are appended, never changed. `oldJson`/`newJson` hold JSON text (or
// are empty when absent); no secret ever goes into any field.
#pragma once

#include <cstdint>
#include <string>

#include "core/time.h"

namespace postured::core {

struct AuditActor {
  std::string id;
  std::string type;  // API_KEY, AUTOMATED_WORKER, NODE
  std::string loginName;
  std::string displayName;
};

struct AuditTarget {
  std::string id;
  std::string name;
  std::string type;      // NODE, API_KEY, TAILNET, ...
  std::string property;  // ATTRIBUTES, POSTURE_IDENTITY, ... or empty
};

struct AuditEvent {
  std::int64_t sequence = 0;  // assigned by the store; orders events that share a time
  Timestamp eventTime{};
  std::string eventGroupId;  // shared by the events of one request
  std::string origin;        // CONFIG_API, CONTROL, NODE
  AuditActor actor;
  AuditTarget target;
  std::string action;  // CREATE, UPDATE, DELETE
  std::string oldJson;
  std::string newJson;
  std::string actionDetails;
};

}  // namespace postured::core
