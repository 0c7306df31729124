#include "core/attribute_key.h"

#include <mutex>
#include <shared_mutex>
#include <unordered_set>

namespace postured::core {

namespace {

struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>()(text); }
};

struct InternTable {
  std::shared_mutex mutex;
  // Node-based: an element never moves, so pointers to it stay valid.
  std::unordered_set<std::string, TransparentHash, std::equal_to<>> spellings;
};

InternTable& table() {
  static auto* instance = new InternTable;  // never destroyed: keys may outlive static destructors
  return *instance;
}

}  // namespace

const std::string* AttributeKey::emptyKey() {
  static const std::string* instance = intern("");
  return instance;
}

const std::string* AttributeKey::intern(std::string_view text) {
  auto& t = table();
  {
    std::shared_lock lock(t.mutex);
    if (auto it = t.spellings.find(text); it != t.spellings.end()) return &*it;
  }
  std::unique_lock lock(t.mutex);
  return &*t.spellings.emplace(text).first;
}

}  // namespace postured::core
