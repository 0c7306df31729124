#include "support/hsemu_process.h"

#include <sys/stat.h>

#include <fstream>

namespace postured::testing {

HsEmulatorProcess::HsEmulatorProcess(std::vector<std::string> args) : args_(std::move(args)) {
  std::ofstream(apiKeyFile()) << apiKey_ << "\n";
  ::chmod(apiKeyFile().c_str(), 0600);
}

HsEmulatorProcess::~HsEmulatorProcess() { stop(); }

void HsEmulatorProcess::stop() { child_.stop(); }

std::string HsEmulatorProcess::logText() const { return readTextFile(dir_.file("hsemu.log")); }

bool HsEmulatorProcess::start(std::chrono::seconds timeout) {
  if (!child_.baseUrl().empty()) listen_ = child_.address();  // a restart keeps its port
  std::vector<std::string> args = {HSEMU_BINARY, "--listen", listen_, "--api-key-file", apiKeyFile()};
  args.insert(args.end(), args_.begin(), args_.end());
  return child_.start(args, dir_.file("hsemu.log"), timeout);
}

}  // namespace postured::testing
