// Deterministic pseudo-random numbers for the emulators' generated fleets: SplitMix64,
// integer-only, so the same seed gives the same fleet on every platform and
// standard library (std:: distributions are implementation-defined).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

namespace postured::emu {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0. The modulo bias is irrelevant at these sizes.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  // Uniform in [lo, hi], inclusive.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  // True with probability `permille` / 1000.
  bool chance(int permille) { return below(1000) < static_cast<std::uint64_t>(permille); }

  // A uniformly chosen element of a non-empty array.
  template <class Items>
  const auto& pick(const Items& items) {
    return items[below(std::size(items))];
  }
  // Picks by integer weight from an array of {weight, value} pairs.
  template <class Items>
  const auto& weighted(const Items& items) {
    int total = 0;
    for (const auto& item : items) total += item.first;
    auto roll = static_cast<int>(below(static_cast<std::uint64_t>(total)));
    for (const auto& item : items) {
      if (roll < item.first) return item.second;
      roll -= item.first;
    }
    return std::rbegin(items)->second;
  }

 private:
  std::uint64_t state_;
};

}  // namespace postured::emu
