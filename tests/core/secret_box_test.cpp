#include "core/secret_box.h"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace postured::core {
namespace {

TEST(SecretBox, CreatesPrivateKeyFileAndRoundTrips) {
  testing::TempDir dir;
  const auto path = dir.file("secret.key");
  auto box = SecretBox::openOrCreate(path);
  ASSERT_TRUE(box) << box.error().message;
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  const auto sealed = box->seal("s1-api-token");
  EXPECT_EQ(sealed.find("s1-api-token"), std::string::npos);
  auto reopened = SecretBox::openOrCreate(path);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(*reopened->open(sealed), "s1-api-token");
}

TEST(SecretBox, AnotherKeyCannotOpen) {
  testing::TempDir a, b;
  auto one = SecretBox::openOrCreate(a.file("k"));
  auto two = SecretBox::openOrCreate(b.file("k"));
  auto opened = two->open(one->seal("token"));
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("cannot be decrypted"), std::string::npos);
}

TEST(SecretBox, RefusesAWorldReadableKey) {
  testing::TempDir dir;
  const auto path = dir.file("secret.key");
  ASSERT_TRUE(SecretBox::openOrCreate(path));
  chmod(path.c_str(), 0644);
  auto box = SecretBox::openOrCreate(path);
  ASSERT_FALSE(box);
  EXPECT_NE(box.error().message.find("chmod 600"), std::string::npos);
}

}  // namespace
}  // namespace postured::core
