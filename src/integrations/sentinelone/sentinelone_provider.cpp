// The fetch: a helper thread downloads page N+1 and indexes it (simdjson's
// first stage) while the caller's thread walks page N and hands its hosts
// to the sink, so parsing hides behind the network. The walk reads the next
// cursor first (SentinelOne sends "pagination" before "data") and passes it
// on at once. Pages stay strictly in order, and at most two exist at once
// (one walked, one downloaded), each with its buffer and its parser.
#include "integrations/sentinelone/sentinelone_provider.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>

#include "integrations/sentinelone/agents_page.h"
#include "integrations/sentinelone/api_token.h"
#include "integrations/sentinelone/console_url.h"
#include "integrations/sentinelone/page_fetcher.h"

namespace postured::integrations::sentinelone {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds kCancelPoll{20};

// A buffer to receive a page into and a parser to index it with. Two take
// turns: the one of page N-1 is free again once page N is being walked.
struct PageSlot {
  std::string buffer;
  AgentsPageParser* parser = nullptr;
};

struct FetchedPage {
  std::optional<std::string> cursor;  // the cursor it was requested with
  PageSlot slot;                      // the page's text in slot.buffer, indexed by slot.parser
  core::Result<void> indexed;
};

using Item = tl::expected<FetchedPage, FetchError>;

// Between the fetching thread and the walking one: pages one way; each
// page's next cursor and, once walked, its slot the other way. The fetcher
// starts page N+1 only once the walk has read page N's cursor.
class Channel {
 public:
  void putPage(Item item) {
    std::lock_guard lock(mutex_);
    page_.emplace(std::move(item));
    changed_.notify_all();
  }

  // The next page; nullopt when `cancelled` turned true or the fetcher ended
  // without one. Wakes every kCancelPoll to look at `cancelled`.
  std::optional<Item> takePage(const std::atomic<bool>* cancelled) {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (page_) {
        std::optional<Item> out = std::move(page_);
        page_.reset();
        return out;
      }
      if (finished_ || (cancelled && cancelled->load())) return std::nullopt;
      changed_.wait_for(lock, kCancelPoll);
    }
  }

  // nullopt: no further page.
  void publishCursor(std::optional<std::string> next) {
    std::lock_guard lock(mutex_);
    cursor_.emplace(std::move(next));
    changed_.notify_all();
  }

  // The cursor the parser published; nullopt when stopped first.
  std::optional<std::optional<std::string>> awaitCursor() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return cursor_ || stopped_; });
    if (!cursor_) return std::nullopt;
    auto out = std::move(cursor_);
    cursor_.reset();
    return out;
  }

  void returnSlot(PageSlot slot) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(slot));
    changed_.notify_all();
  }

  // A free slot; nullopt when stopped first.
  std::optional<PageSlot> awaitFreeSlot() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !free_.empty() || stopped_; });
    if (free_.empty()) return std::nullopt;
    auto slot = std::move(free_.back());
    free_.pop_back();
    return slot;
  }

  void finish() {
    std::lock_guard lock(mutex_);
    finished_ = true;
    changed_.notify_all();
  }

  void stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<Item> page_;
  std::optional<std::optional<std::string>> cursor_;
  std::vector<PageSlot> free_;
  bool finished_ = false;
  bool stopped_ = false;
};

tl::unexpected<FetchError> malformed(int page, const std::string& what) {
  return tl::unexpected(FetchError{FetchErrorKind::kProvider,
                                   "SentinelOne returned a malformed page " + std::to_string(page) + ": " + what});
}

class Fetch {
 public:
  Fetch(std::string consoleUrl, const std::string& token, const FetchContext& ctx)
      : ctx_(ctx), fetcher_(std::move(consoleUrl), token, ctx, stop_) {
    for (auto& parser : parsers_) channel_.returnSlot(PageSlot{{}, &parser});
  }

  ~Fetch() { stopFetcher(); }
  Fetch(const Fetch&) = delete;
  Fetch& operator=(const Fetch&) = delete;

  tl::expected<FetchSummary, FetchError> run(const PageSink& sink) {
    thread_ = std::thread([this] { produce(); });
    FetchSummary summary;
    std::unordered_set<std::string> seenCursors;  // a cursor seen before would loop forever
    for (int page = 1;; ++page) {
      auto item = channel_.takePage(ctx_.cancelled);
      if (!item) {
        if (ctx_.cancelled && ctx_.cancelled->load()) return tl::unexpected(cancelledAt(page));
        return tl::unexpected(FetchError{FetchErrorKind::kProvider, "the SentinelOne fetch ended early"});
      }
      if (!*item) return tl::unexpected(std::move(item->error()));
      auto& fetched = **item;
      if (!fetched.indexed) return malformed(page, fetched.indexed.error().message);

      bool freshCursor = false;
      auto parsed = fetched.slot.parser->walk(fetched.slot.buffer, page_, [&](const std::optional<std::string>& next) {
        // A cursor that does not move on would fetch pages forever; the check below reports it.
        freshCursor = next && seenCursors.insert(*next).second;
        channel_.publishCursor(freshCursor ? next : std::nullopt);
      });
      if (!parsed) return malformed(page, parsed.error().message);
      if (page_.nextCursor && !freshCursor)
        return malformed(page, "\"pagination.nextCursor\" repeats the cursor of an earlier page");
      channel_.returnSlot(std::move(fetched.slot));  // done with the text: the page after next may have it

      summary.pages += 1;
      summary.hosts += page_.hosts.size();
      sink(page_.hosts);
      if (!page_.nextCursor) {
        stopFetcher();
        summary.requests = fetcher_.requests();
        return summary;
      }
      if (ctx_.cancelled && ctx_.cancelled->load()) return tl::unexpected(cancelledAt(page + 1));
    }
  }

 private:
  // On the fetcher thread.
  void produce() {
    std::optional<std::string> cursor;
    for (int page = 1;; ++page) {
      auto slot = channel_.awaitFreeSlot();
      if (!slot) break;  // stopped
      fetcher_.reuseBuffer(std::move(slot->buffer));
      auto body = fetcher_.fetch(cursor, page);
      if (!body) {
        channel_.putPage(tl::unexpected(std::move(body.error())));
        break;
      }
      slot->buffer = std::move(*body);
      auto indexed = slot->parser->index(slot->buffer);
      channel_.putPage(FetchedPage{cursor, std::move(*slot), std::move(indexed)});
      auto next = channel_.awaitCursor();
      if (!next || !*next) break;  // stopped, or the last page
      cursor = std::move(*next);
    }
    channel_.finish();
  }

  void stopFetcher() {
    if (!thread_.joinable()) return;
    stop_ = true;  // aborts a request in flight and any wait
    channel_.stop();
    thread_.join();
  }

  const FetchContext& ctx_;
  std::atomic<bool> stop_{false};
  PageFetcher fetcher_;          // used by the fetcher thread only
  AgentsPageParser parsers_[2];  // in PageSlots: indexing on the fetcher thread, walking on the caller's
  AgentsPage page_;              // the page being walked, its hosts reused for the next
  Channel channel_;
  std::thread thread_;
};

}  // namespace

tl::expected<FetchSummary, FetchError> SentinelOneProvider::fetchHosts(const ProviderConfig& config,
                                                                       const FetchContext& ctx,
                                                                       const PageSink& sink) const {
  // Configurations are validated when saved; checking again here keeps one
  // stored under older rules from going out as is.
  auto console = normaliseConsoleUrl(config.cloudId, ctx.allowInsecureUrls);
  if (!console) return tl::unexpected(FetchError{FetchErrorKind::kConfiguration, console.error().message});
  if (auto token = validateApiToken(config.clientSecret); !token)
    return tl::unexpected(FetchError{FetchErrorKind::kConfiguration, token.error().message});
  if (ctx.cancelled && ctx.cancelled->load()) return tl::unexpected(cancelledAt(1));
  Fetch fetch(std::move(*console), config.clientSecret, ctx);
  return fetch.run(sink);
}

}  // namespace postured::integrations::sentinelone
