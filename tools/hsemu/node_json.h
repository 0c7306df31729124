// Nodes as headscale's v1 API writes them, per flavor:
//   main   hscontrol/api/v1/nodes.go Node (Huma, encoding/json): ids as
//          decimal strings, every field present, unset user/lastSeen/
//          expiry/preAuthKey as null, times as Go writes time.Time.
//   v0.29  proto/headscale/v1/node.proto through grpc-gateway's default
//          protojson marshaler (EmitUnpopulated): the same members in field
//          order, uint64 as strings, Timestamps with 0/3/6/9 digits.
//   v0.25  the same marshaler over the older Node message: forcedTags,
//          invalidTags and validTags instead of tags, no route fields.
// The list view presents a tagged node as headscale's special
// "tagged-devices" user (types.TaggedDevices) in the flavors that have
// tags-as-identity (main, v0.29); a single node keeps its own user.
#pragma once

#include <nlohmann/json.hpp>

#include "flavor.h"
#include "node_store.h"

namespace postured::hsemu {

enum class NodeView { kSingle, kList };

nlohmann::ordered_json apiNodeJson(Flavor flavor, const Node& node, const NodeStore& store, NodeView view);
// The control API's rendering: main's single-node shape.
nlohmann::ordered_json controlNodeJson(const Node& node, const NodeStore& store);

// headscale's RegisterMethod enum name for a stored method ("cli" -> REGISTER_METHOD_CLI).
std::string registerMethodEnum(const std::string& method);

}  // namespace postured::hsemu
