#include "core/random.h"

#include <sodium.h>

namespace postured::core {

std::string randomAlphanumeric(std::size_t length) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(length);
  for (std::size_t i = 0; i < length; ++i) out.push_back(kAlphabet[randombytes_uniform(62)]);
  return out;
}

std::string newDeviceId() { return "n" + randomAlphanumeric(12) + "CNTRL"; }

std::string newEventGroupId() { return randomAlphanumeric(20); }

}  // namespace postured::core
