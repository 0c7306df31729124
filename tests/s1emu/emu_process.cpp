#include "s1emu/emu_process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/process.h"

namespace postured::s1emu::testing {

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string readFile(const std::string& path) { return postured::testing::readTextFile(path); }

std::string base64(const std::string& text) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 3) {
    std::uint32_t chunk = static_cast<unsigned char>(text[i]) << 16;
    if (i + 1 < text.size()) chunk |= static_cast<unsigned char>(text[i + 1]) << 8;
    if (i + 2 < text.size()) chunk |= static_cast<unsigned char>(text[i + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < text.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < text.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

std::string urlEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

EmuProcess::EmuProcess(std::vector<std::string> args) : args_(std::move(args)) {}

EmuProcess::~EmuProcess() {
  if (pid_ > 0) stop(SIGKILL);
}

bool EmuProcess::start(std::chrono::seconds timeout) {
  std::vector<std::string> args = {S1EMU_BINARY, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), args_.begin(), args_.end());
  pid_ = postured::testing::spawnProcess(args, {}, "", dir_.file("stdout.log"), dir_.file("stderr.log"));
  return postured::testing::waitUntilReady(pid_, timeout, [this] {
    std::istringstream lines(stderrText());
    for (std::string line; std::getline(lines, line);) {
      if (line.find(R"("msg":"listening")") == std::string::npos) continue;
      const auto announced = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (announced.is_discarded() || !announced.contains("address")) continue;
      baseUrl_ = "http://" + announced["address"].get<std::string>();
      agents_ = announced.value("agents", std::size_t{0});
      return true;
    }
    return false;
  });
}

int EmuProcess::stop(int sig) {
  if (pid_ <= 0) return 0;
  const int code = postured::testing::stopProcess(pid_, std::chrono::seconds(30), sig);
  pid_ = -1;
  return code;
}

std::string EmuProcess::stderrText() const { return readFile(dir_.file("stderr.log")); }

http::ClientResponse EmuProcess::agents(const std::string& query, const std::string& authorization) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
  return request("GET", "/web/api/v2.1/agents" + (query.empty() ? "" : "?" + query), {}, std::move(headers));
}

http::ClientResponse EmuProcess::request(const std::string& method, const std::string& path, const std::string& body,
                                         std::vector<std::pair<std::string, std::string>> headers) {
  http::ClientRequest req;
  req.method = method;
  req.url = baseUrl_ + path;
  req.body = body;
  req.headers = std::move(headers);
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  auto res = client_.send(req);
  if (!res) throw std::runtime_error("request " + method + " " + path + " failed: " + res.error().message);
  return *res;
}

Listing listAll(EmuProcess& emu, const std::string& query) {
  Listing listing;
  std::string cursor;
  for (int guard = 0; guard < 100'000; ++guard) {
    const auto response = emu.agents(query + (cursor.empty() ? "" : "&cursor=" + urlEncode(cursor)));
    EXPECT_EQ(response.status, 200) << response.body;
    if (response.status != 200) return listing;
    const auto page = nlohmann::json::parse(response.body);
    EXPECT_TRUE(page["errors"].is_null());
    EXPECT_TRUE(page["data"].is_array());
    listing.pageSizes.push_back(page["data"].size());
    listing.totals.push_back(page["pagination"]["totalItems"].get<std::size_t>());
    for (const auto& agent : page["data"]) listing.agents.push_back(agent);
    const auto& next = page["pagination"]["nextCursor"];
    if (next.is_null()) return listing;
    EXPECT_TRUE(next.is_string());
    cursor = next.get<std::string>();
  }
  ADD_FAILURE() << "listing did not end";
  return listing;
}

}  // namespace postured::s1emu::testing
