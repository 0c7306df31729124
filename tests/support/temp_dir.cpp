#include "support/temp_dir.h"

#include <cstdlib>
#include <stdexcept>

namespace postured::testing {

TempDir::TempDir() {
  auto base = std::filesystem::temp_directory_path() / "postured-test-XXXXXX";
  std::string templ = base.string();
  if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace postured::testing
