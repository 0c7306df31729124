// Recorded-shape SentinelOne fixtures under tests/integrations/fixtures/sentinelone/.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace postured::integrations::sentinelone {

inline std::string fixture(const std::string& name) {
  std::ifstream in(std::string(POSTURED_SOURCE_DIR) + "/tests/integrations/fixtures/sentinelone/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace postured::integrations::sentinelone
