// The agent's state directory: URL normalisation, directory and file modes,
// atomic replacement, and errors that say how to recover.
#include "identity/enroll_state.h"

#include <gmock/gmock.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace postured::testing {
namespace {

using ::testing::HasSubstr;

unsigned modeOf(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

TEST(EnrollState, ServerUrlsAreNormalised) {
  EXPECT_EQ(*identity::normaliseServerUrl("https://postured.example.com/"), "https://postured.example.com");
  EXPECT_EQ(*identity::normaliseServerUrl("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  for (const char* bad : {"postured.example.com", "ftp://x", "https://", "https:///x", "http://a b", "http://a?x=1"}) {
    auto r = identity::normaliseServerUrl(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "server");
  }
}

TEST(EnrollState, TheDirectoryIsCreatedPrivate) {
  TempDir tmp;
  const auto dir = tmp.path() / "var" / "lib" / "postured-agent";
  auto warnings = identity::prepareStateDir(dir);
  ASSERT_TRUE(warnings) << warnings.error().message;
  EXPECT_TRUE(warnings->empty());
  EXPECT_EQ(modeOf(dir), 0700u);

  ::chmod(dir.c_str(), 0755);
  warnings = identity::prepareStateDir(dir);
  ASSERT_TRUE(warnings);
  ASSERT_EQ(warnings->size(), 1u);
  EXPECT_THAT(warnings->front(), HasSubstr("chmod 700"));

  std::ofstream(tmp.file("plain")) << "x";
  auto notADir = identity::prepareStateDir(tmp.file("plain"));
  ASSERT_FALSE(notADir);
  EXPECT_THAT(notADir.error().message, HasSubstr("not a directory"));
}

TEST(EnrollState, SavedAndLoadedBackWithMode0600) {
  TempDir dir;
  EXPECT_FALSE(identity::loadEnrollState(dir.path()).value().has_value()) << "no state yet";
  const identity::EnrollState state{"https://postured.example.com", "n123CNTRL", core::generateDeviceKeyPair()};
  ASSERT_TRUE(identity::saveEnrollState(dir.path(), state));
  const auto file = dir.path() / identity::kStateFileName;
  EXPECT_EQ(modeOf(file), 0600u);
  EXPECT_FALSE(std::filesystem::exists(file.string() + ".tmp"));

  auto loaded = identity::loadEnrollState(dir.path());
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ((*loaded)->server, state.server);
  EXPECT_EQ((*loaded)->deviceId, state.deviceId);
  EXPECT_EQ((*loaded)->keys.publicKey, state.keys.publicKey);
  EXPECT_EQ((*loaded)->keys.privateKey, state.keys.privateKey);

  auto replaced = state;
  replaced.deviceId.clear();
  ::chmod(file.c_str(), 0644);
  std::ofstream(file.string() + ".tmp") << "left by a crash";
  ::chmod((file.string() + ".tmp").c_str(), 0644);
  ASSERT_TRUE(identity::saveEnrollState(dir.path(), replaced));
  EXPECT_EQ(modeOf(file), 0600u) << "a replacement is private too";
  EXPECT_EQ(identity::loadEnrollState(dir.path()).value()->deviceId, "");
}

TEST(EnrollState, AnUnusableStateSaysToRemoveIt) {
  TempDir dir;
  const auto file = dir.file(std::string(identity::kStateFileName));
  const auto keys = core::generateDeviceKeyPair();
  const auto other = core::generateDeviceKeyPair();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "is not JSON"},
      {R"({"version": 9, "server": "", "deviceId": "", "nodeKey": "", "privateKey": ""})", "another version"},
      {R"({"version": 1, "server": "http://x", "deviceId": "n1"})", "nodeKey"},
      {nlohmann::json{{"version", 1},
                      {"server", "http://x"},
                      {"deviceId", "n1"},
                      {"nodeKey", keys.publicKey},
                      {"privateKey", other.privateKey}}
           .dump(),
       "key pair"},
  };
  for (const auto& [text, expected] : cases) {
    std::ofstream(file, std::ios::trunc) << text;
    auto loaded = identity::loadEnrollState(dir.path());
    ASSERT_FALSE(loaded) << text;
    EXPECT_THAT(loaded.error().message, HasSubstr(expected));
    EXPECT_THAT(loaded.error().message, HasSubstr("remove it to enroll this machine afresh"));
    EXPECT_THAT(loaded.error().message, HasSubstr(file));
  }
}

}  // namespace
}  // namespace postured::testing
