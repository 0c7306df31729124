// Tests of "permission denied" paths. Root reads and writes any file, and CI
// runs as root, so such a test runs its body as the user "nobody" in a forked
// child and gets back the text the body returns.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace postured::testing {

// Runs `body` as uid/gid 65534 (nobody) when this process is root, else
// directly. Where root may not change its user (a container without
// CAP_SETUID), the body runs as root without the capabilities that override
// file permissions instead. nullopt only when neither is possible.
std::optional<std::string> runUnprivileged(const std::function<std::string()>& body);

}  // namespace postured::testing
