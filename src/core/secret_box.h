// Encryption of secrets at rest (provider tokens) with libsodium's secretbox.
// The key lives in the data dir's secret.key (0600), never in the store.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace postured::core {

class SecretBox {
 public:
  // Reads the key file, creating it with a fresh key (mode 0600) if absent.
  static Result<SecretBox> openOrCreate(const std::string& keyPath);

  // Returns nonce || ciphertext, hex-encoded.
  std::string seal(std::string_view plaintext) const;
  Result<std::string> open(std::string_view sealed) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace postured::core
