#include "page_tracker.h"

namespace postured::s1emu {

int PageTracker::pageOf(const std::string& listing, const std::string& after) const {
  if (after.empty()) return 1;
  std::lock_guard lock(mutex_);
  const auto it = pages_.find(listing + '\n' + after);
  return it == pages_.end() ? 0 : it->second;
}

void PageTracker::issued(const std::string& listing, const std::string& after, int page) {
  std::lock_guard lock(mutex_);
  if (pages_.size() >= kMaxEntries) pages_.clear();
  pages_[listing + '\n' + after] = page;
}

}  // namespace postured::s1emu
