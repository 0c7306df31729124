#include "policy/posture_evaluator.h"

#include <algorithm>

namespace postured::policy {

bool meetsPosture(const Policy& policy, const PolicyNode& node, const std::string& postureName) {
  auto posture = policy.postures.find(postureName);
  if (posture == policy.postures.end()) return false;
  const auto lookup = node.attributes.lookup();
  return std::all_of(posture->second.parsed.begin(), posture->second.parsed.end(),
                     [&](const PostureCondition& c) { return evaluate(c, lookup); });
}

PostureCheck attributePostureCheck(const Policy& policy) {
  return [&policy](const PolicyNode& node, const std::string& postureName) {
    return meetsPosture(policy, node, postureName);
  };
}

}  // namespace postured::policy
