// Version comparison with the semantics of Tailscale's util/cmpver, which the
// control plane uses for the ordering operators on version attributes
// (node:tsVersion, node:osVersion, ...).
//
// A version is split into alternating runs: a (possibly empty) non-digit run,
// then a (possibly empty) digit run, repeated. Runs are compared pairwise, the
// first difference decides: non-digit runs by bytes (Go's strings.Compare),
// digit runs as unsigned integers. Only ASCII '0'-'9' are digits. When one
// string runs out first, its missing runs count as "" and 0. Consequences:
// "12" < "12.0", "1.100.2" > "1.55.0", "1.60" < "1.60.0", "" < "1.2.3",
// "1.02" == "1.2" (leading zeros do not matter).
//
// Where we differ from cmpver: a digit run longer than uint64 panics in Go;
// here it is compared as an arbitrary-size integer (ignoring leading zeros,
// more digits is larger), which agrees with cmpver whenever both runs fit.
#pragma once

#include <string_view>

namespace postured::policy {

// -1 if a < b, 0 if equal as versions, +1 if a > b. Total, never fails.
int compareVersions(std::string_view a, std::string_view b);

}  // namespace postured::policy
