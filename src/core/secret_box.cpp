#include "core/secret_box.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/files.h"

namespace postured::core {

Result<SecretBox> SecretBox::openOrCreate(const std::string& keyPath) {
  if (sodium_init() < 0) return fail(ErrorKind::kInternal, "libsodium could not be initialised");
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  int fd = ::open(keyPath.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st {};
    if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
      ::close(fd);
      return fail(ErrorKind::kInternal, keyPath + " is readable by other users; run chmod 600 " + keyPath);
    }
    const auto n = ::read(fd, key.data(), key.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(key.size()))
      return fail(ErrorKind::kInternal, keyPath + " is not a " + std::to_string(key.size()) +
                                            "-byte secret key; restore it from backup (without it, stored "
                                            "secrets cannot be decrypted)");
    return SecretBox(std::move(key));
  }
  if (errno != ENOENT) return fail(ErrorKind::kInternal, "cannot read " + keyPath + ": " + std::strerror(errno));
  crypto_secretbox_keygen(reinterpret_cast<unsigned char*>(key.data()));
  if (auto ok = writeFileDurably(keyPath, key, 0600, /*replace=*/false); !ok) {
    if (ok.error().kind == ErrorKind::kConflict) return openOrCreate(keyPath);  // another process won the race
    return tl::unexpected(ok.error());
  }
  return SecretBox(std::move(key));
}

std::string SecretBox::seal(std::string_view plaintext) const {
  std::vector<unsigned char> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size());
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), out.data(),
                        reinterpret_cast<const unsigned char*>(key_.data()));
  std::string hex(out.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), out.data(), out.size());
  hex.pop_back();
  return hex;
}

Result<std::string> SecretBox::open(std::string_view sealed) const {
  std::vector<unsigned char> bin(sealed.size() / 2 + 1);
  size_t binLen = 0;
  if (sodium_hex2bin(bin.data(), bin.size(), sealed.data(), sealed.size(), nullptr, &binLen, nullptr) != 0 ||
      binLen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return fail(ErrorKind::kInternal, "a stored secret is corrupt");
  std::string plain(binLen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 bin.data() + crypto_secretbox_NONCEBYTES, binLen - crypto_secretbox_NONCEBYTES,
                                 bin.data(), reinterpret_cast<const unsigned char*>(key_.data())) != 0)
    return fail(ErrorKind::kInternal,
                "a stored secret cannot be decrypted with secret.key; was the key file replaced?");
  return plain;
}

}  // namespace postured::core
