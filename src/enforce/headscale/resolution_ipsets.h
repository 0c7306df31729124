// headscale has no `ipsets`: every `ipset:` reference is written out as the
// addresses the ipset stands for (SelectorResolver's reading, "add"/"remove"
// entries and nested ipsets applied), so the section can be left out.
//
// Lists are JSON arrays of strings parallel to their parsed selectors (the
// policy model keeps them in source order). Entries other than ipsets stay as
// written; an ipset with no addresses leaves no entry.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "enforce/headscale/resolution_context.h"
#include "policy/selectors.h"

namespace postured::enforce::headscale {

enum class ListRole { kSources, kDestinations };

// A src, dst (grants, SSH) or target list. Destinations name each fully
// covered node once, so the compiler does not list its addresses twice.
nlohmann::json expandIpsets(ResolutionContext& context, const nlohmann::json& list,
                            const std::vector<policy::Selector>& selectors, ListRole role, int line,
                            std::vector<std::string>& warnings);

// An ACL's dst ("ipset:office:22,443" becomes "10.1.0.0/16:22,443", ...).
nlohmann::json expandIpsetDestinations(ResolutionContext& context, const nlohmann::json& list,
                                       const std::vector<policy::DstSelector>& destinations, int line,
                                       std::vector<std::string>& warnings);

}  // namespace postured::enforce::headscale
