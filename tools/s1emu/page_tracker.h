// Remembers which page of a listing each issued cursor leads to, so page
// faults can name "page K" although a cursor only names an agent id. A
// listing's first request (no cursor) is page 1; a cursor handed out on
// page K leads to page K+1 for the same limit and filters. A cursor we
// never issued (e.g. from before a restart) has no known page, and no page
// fault applies to it. Bounded: forgets everything past kMaxEntries.
// Thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace postured::s1emu {

class PageTracker {
 public:
  static constexpr std::size_t kMaxEntries = 1'000'000;

  // `listing` identifies the limit and filters; `after` is the cursor's
  // decoded agent id, "" for the first page (so differently encoded copies
  // of one cursor agree). Returns the page number, or 0 when unknown.
  int pageOf(const std::string& listing, const std::string& after) const;
  void issued(const std::string& listing, const std::string& after, int page);

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int> pages_;
};

}  // namespace postured::s1emu
