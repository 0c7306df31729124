// An attribute key ("sentinelOne:infected"), interned: every AttributeKey
// with the same spelling points at one shared string.
//
// Why: a large fleet holds millions of attributes but only tens of distinct
// keys. A std::string per attribute cost ~80 bytes and an allocation each
// (the keys are longer than the small-string buffer); an interned key is one
// pointer, and two keys compare by that pointer. Interned spellings are
// never freed, which is what keeps the pointers valid; their number is
// bounded by the distinct keys ever written, which the API validates.
#pragma once

#include <compare>
#include <ostream>
#include <string>
#include <string_view>

namespace postured::core {

class AttributeKey {
 public:
  AttributeKey() : text_(emptyKey()) {}
  AttributeKey(std::string_view text) : text_(intern(text)) {}                     // NOLINT: keys convert implicitly
  AttributeKey(const std::string& text) : AttributeKey(std::string_view(text)) {}  // NOLINT
  AttributeKey(const char* text) : AttributeKey(std::string_view(text)) {}         // NOLINT

  const std::string& str() const { return *text_; }
  operator const std::string&() const { return *text_; }  // NOLINT
  operator std::string_view() const { return *text_; }    // NOLINT

  bool empty() const { return text_->empty(); }
  std::size_t size() const { return text_->size(); }
  const char* data() const { return text_->data(); }
  auto begin() const { return text_->begin(); }
  auto end() const { return text_->end(); }
  int compare(std::size_t pos, std::size_t n, std::string_view other) const { return text_->compare(pos, n, other); }
  char operator[](std::size_t i) const { return (*text_)[i]; }

  friend bool operator==(AttributeKey a, AttributeKey b) { return a.text_ == b.text_; }
  friend bool operator==(AttributeKey a, std::string_view b) { return *a.text_ == b; }
  friend bool operator==(AttributeKey a, const std::string& b) { return *a.text_ == b; }
  friend bool operator==(AttributeKey a, const char* b) { return *a.text_ == b; }
  friend std::strong_ordering operator<=>(AttributeKey a, AttributeKey b) { return *a.text_ <=> *b.text_; }
  friend std::ostream& operator<<(std::ostream& out, AttributeKey key) { return out << *key.text_; }

 private:
  static const std::string* intern(std::string_view text);
  static const std::string* emptyKey();

  const std::string* text_;
};

}  // namespace postured::core

template <>
struct std::hash<postured::core::AttributeKey> {
  std::size_t operator()(postured::core::AttributeKey key) const noexcept {
    return std::hash<const void*>()(key.data());
  }
};
