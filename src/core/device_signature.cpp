#include "core/device_signature.h"

#include <sodium.h>

#include <charconv>
#include <cstdlib>

#include "core/hex.h"

namespace postured::core {

namespace {

constexpr std::string_view kNodeKeyPrefix = "nodekey:";
constexpr std::string_view kPrivateKeyPrefix = "privkey:";

std::string toHex(const unsigned char* data, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

// The hex after `prefix`, decoded into exactly `size` bytes.
std::optional<std::string> fromHex(std::string_view text, std::string_view prefix, std::size_t size) {
  if (!text.starts_with(prefix)) return std::nullopt;
  text.remove_prefix(prefix.size());
  if (text.size() != size * 2) return std::nullopt;
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    const int hi = hexDigitValue(text[2 * i]), lo = hexDigitValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string signedMessage(std::string_view method, std::string_view path, std::string_view body,
                          std::int64_t unixSeconds) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  std::string m = "postured-device-v1\n";
  m.append(method).append("\n").append(path).append("\n").append(std::to_string(unixSeconds)).append("\n");
  m += toHex(digest, sizeof digest);
  return m;
}

const unsigned char* bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

DeviceKeyPair generateDeviceKeyPair() {
  if (sodium_init() < 0) std::abort();  // no usable randomness: nothing safe to do
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  DeviceKeyPair keys{std::string(kNodeKeyPrefix) + toHex(pk, sizeof pk),
                     std::string(kPrivateKeyPrefix) + toHex(sk, sizeof sk)};
  sodium_memzero(sk, sizeof sk);
  return keys;
}

bool isValidNodeKey(std::string_view nodeKey) {
  return fromHex(nodeKey, kNodeKeyPrefix, crypto_sign_PUBLICKEYBYTES).has_value();
}

Result<DeviceKeyPair> parseDeviceKeyPair(std::string_view publicKey, std::string_view privateKey) {
  auto pk = fromHex(publicKey, kNodeKeyPrefix, crypto_sign_PUBLICKEYBYTES);
  auto sk = fromHex(privateKey, kPrivateKeyPrefix, crypto_sign_SECRETKEYBYTES);
  if (!pk || !sk) return fail(ErrorKind::kInvalidArgument, "the device key pair is malformed");
  // libsodium's secret key ends with the public key: the two halves must belong together.
  if (sk->compare(crypto_sign_SECRETKEYBYTES - crypto_sign_PUBLICKEYBYTES, crypto_sign_PUBLICKEYBYTES, *pk) != 0)
    return fail(ErrorKind::kInvalidArgument, "the device's public and private keys do not belong together");
  sodium_memzero(sk->data(), sk->size());
  return DeviceKeyPair{std::string(publicKey), std::string(privateKey)};
}

std::string signDeviceRequest(const DeviceKeyPair& keys, std::string_view method, std::string_view path,
                              std::string_view body, std::int64_t unixSeconds) {
  auto sk = fromHex(keys.privateKey, kPrivateKeyPrefix, crypto_sign_SECRETKEYBYTES);
  if (!sk) return {};
  const auto message = signedMessage(method, path, body, unixSeconds);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, bytes(message), message.size(), bytes(*sk));
  sodium_memzero(sk->data(), sk->size());
  std::string encoded(sodium_base64_ENCODED_LEN(sizeof sig, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
  encoded.pop_back();  // the terminating NUL
  return "t=" + std::to_string(unixSeconds) + ",sig=" + encoded;
}

Result<void> verifyDeviceRequest(std::string_view nodeKey, std::string_view header, std::string_view method,
                                 std::string_view path, std::string_view body, std::int64_t nowUnixSeconds) {
  const auto malformed = [] {
    return fail(ErrorKind::kUnauthenticated, "device signature required: send \"" + std::string(kSignatureHeader) +
                                                 ": t=<unix seconds>,sig=<base64>\"");
  };
  if (!header.starts_with("t=")) return malformed();
  const auto comma = header.find(",sig=");
  if (comma == std::string_view::npos) return malformed();
  std::int64_t t = 0;
  const auto tText = header.substr(2, comma - 2);
  if (auto [end, ec] = std::from_chars(tText.data(), tText.data() + tText.size(), t);
      ec != std::errc() || end != tText.data() + tText.size())
    return malformed();
  if (t < nowUnixSeconds - kSignatureMaxSkewSeconds || t > nowUnixSeconds + kSignatureMaxSkewSeconds)
    return fail(ErrorKind::kUnauthenticated,
                "the device signature's time is more than 5 minutes from the server's; check the device's clock");
  const auto sigText = header.substr(comma + 5);
  unsigned char sig[crypto_sign_BYTES];
  std::size_t sigLen = 0;
  if (sodium_base642bin(sig, sizeof sig, sigText.data(), sigText.size(), nullptr, &sigLen, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      sigLen != sizeof sig)
    return malformed();
  auto pk = fromHex(nodeKey, kNodeKeyPrefix, crypto_sign_PUBLICKEYBYTES);
  if (!pk) return fail(ErrorKind::kUnauthenticated, "the device has no usable node key");
  const auto message = signedMessage(method, path, body, t);
  if (crypto_sign_verify_detached(sig, bytes(message), message.size(), bytes(*pk)) != 0)
    return fail(ErrorKind::kUnauthenticated, "the device signature does not verify against the device's node key");
  return {};
}

}  // namespace postured::core
