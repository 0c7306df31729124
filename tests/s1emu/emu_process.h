// The s1emu binary as a child process on 127.0.0.1:0, for the emulator's
// own tests: started with the given arguments, its stderr in a file of its
// own temp dir, its address read from the {"msg":"listening",...} line.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/client.h"
#include "support/temp_dir.h"

namespace postured::s1emu::testing {

inline constexpr const char* kToken = "s1emu-token";

class EmuProcess {
 public:
  explicit EmuProcess(std::vector<std::string> args);
  ~EmuProcess();
  EmuProcess(const EmuProcess&) = delete;
  EmuProcess& operator=(const EmuProcess&) = delete;

  // Starts s1emu and waits for its listening line; false when it exited
  // first or timed out (stderrText() says why).
  bool start(std::chrono::seconds timeout = std::chrono::seconds(60));
  // Sends `sig`, waits, returns the exit code (or -signal).
  int stop(int sig = 15);

  const std::string& baseUrl() const { return baseUrl_; }
  std::size_t announcedAgents() const { return agents_; }
  std::string stderrText() const;
  // A path inside this process's temp dir, for --fleet-out and friends.
  std::string file(const std::string& name) const { return dir_.file(name); }

  // GET on the agents API with `authorization` as the header ("" for none).
  http::ClientResponse agents(const std::string& query,
                              const std::string& authorization = std::string("ApiToken ") + kToken);
  http::ClientResponse request(const std::string& method, const std::string& path, const std::string& body = {},
                               std::vector<std::pair<std::string, std::string>> headers = {});

 private:
  postured::testing::TempDir dir_;
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  std::string baseUrl_;
  std::size_t agents_ = 0;
  http::HttpClient client_;
};

struct Listing {
  std::vector<nlohmann::json> agents;
  std::vector<std::size_t> pageSizes;
  std::vector<std::size_t> totals;  // totalItems of every page
};

// Follows nextCursor from `query` (e.g. "limit=1000") until it is null,
// asserting every page is a 200 with SentinelOne's envelope.
Listing listAll(EmuProcess& emu, const std::string& query);

// Writes `text` to `path`.
void writeFile(const std::string& path, const std::string& text);
std::string readFile(const std::string& path);
// Standard base64 (with padding), to build and check cursors.
std::string base64(const std::string& text);
std::string urlEncode(const std::string& text);

}  // namespace postured::s1emu::testing
