// Normalised serial number -> the one device holding it, for matching
// provider hosts (DESIGN §6). A serial held by several devices is kept as
// shared and finds nothing.
//
// Flat, with open addressing: one array of slots and one buffer of text.
// It is built over the whole fleet (and kept while no device changes) and
// probed once per provider host; a node-based map spent most of that time
// allocating and following pointers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace postured::integrations {

class SerialIndex {
 public:
  static constexpr std::uint32_t kNoDevice = UINT32_MAX;

  explicit SerialIndex(std::size_t expectedSerials = 0);

  // Records that `device` holds `serial` (already normalised, not empty).
  // Adding a serial a different device holds makes it shared.
  void add(std::string_view serial, std::uint32_t device);

  struct Hit {
    std::uint32_t device = kNoDevice;  // kNoDevice: unknown or shared
    std::string_view serial;           // the indexed copy, valid while the index lives
  };
  Hit find(std::string_view serial) const { return find(serial, hashOf(serial)); }
  Hit find(std::string_view serial, std::uint32_t hash) const;  // hash: hashOf(serial)

  // For lookups in batches: hash the serials, prefetch their slots, and
  // find them once the slots are on their way.
  static std::uint32_t hashOf(std::string_view serial);
  void prefetch(std::uint32_t hash) const { __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]); }

  std::size_t sharedCount() const { return shared_; }  // serials held by several devices

 private:
  static constexpr std::uint32_t kEmpty = UINT32_MAX;
  static constexpr std::uint32_t kShared = UINT32_MAX - 1;
  struct Slot {
    std::uint32_t device = kEmpty;  // or kShared
    std::uint32_t hash = 0;         // the hash's low bits, to skip most comparisons
    std::uint32_t offset = 0;       // the serial's text in text_
    std::uint32_t length = 0;
  };

  std::size_t probe(std::string_view serial, std::uint32_t hash) const;  // its slot, or the empty one it would take
  void grow();

  std::vector<Slot> slots_;  // a power of two, at most half full
  std::string text_;
  std::size_t used_ = 0;
  std::size_t shared_ = 0;
};

}  // namespace postured::integrations
