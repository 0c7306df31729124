#include "integrations/serial_index.h"

#include <bit>
#include <functional>

namespace postured::integrations {

std::uint32_t SerialIndex::hashOf(std::string_view serial) {
  return static_cast<std::uint32_t>(std::hash<std::string_view>()(serial));
}

SerialIndex::SerialIndex(std::size_t expectedSerials)
    : slots_(std::bit_ceil(std::max<std::size_t>(16, expectedSerials * 2))) {}

std::size_t SerialIndex::probe(std::string_view serial, std::uint32_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.device == kEmpty) return i;
    if (s.hash == hash && std::string_view(text_).substr(s.offset, s.length) == serial) return i;
  }
}

void SerialIndex::add(std::string_view serial, std::uint32_t device) {
  if ((used_ + 1) * 2 > slots_.size()) grow();
  const auto hash = hashOf(serial);
  Slot& slot = slots_[probe(serial, hash)];
  if (slot.device == kEmpty) {
    slot = Slot{device, hash, static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(serial.size())};
    text_.append(serial);
    ++used_;
  } else if (slot.device != device && slot.device != kShared) {
    slot.device = kShared;
    ++shared_;
  }
}

SerialIndex::Hit SerialIndex::find(std::string_view serial, std::uint32_t hash) const {
  const Slot& slot = slots_[probe(serial, hash)];
  if (slot.device == kEmpty || slot.device == kShared) return {};
  return {slot.device, std::string_view(text_).substr(slot.offset, slot.length)};
}

void SerialIndex::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.device == kEmpty) continue;
    std::size_t i = s.hash & mask;
    while (slots_[i].device != kEmpty) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace postured::integrations
