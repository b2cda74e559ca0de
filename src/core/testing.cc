#include "core/testing.h"

#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

namespace lakepipe::testing {

std::string MakeTempDir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::filesystem::path root = base ? base : std::filesystem::temp_directory_path();
  std::random_device rd;
  std::filesystem::path dir = root / ("lakepipe-" + name + "-" + std::to_string(rd()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

bool HasNodePackage(const std::string& source_dir, const std::string& package) {
  return std::filesystem::exists(source_dir + "/tests/node_modules/" + package) &&
         std::system("node --version >/dev/null 2>&1") == 0;
}

bool UnderCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

NodeRun RunNodeScript(const std::string& source_dir, const std::string& script,
                      const std::string& arg) {
  const std::string out_path = MakeTempDir("node") + "/out";
  const std::string command = "cd '" + source_dir + "/tests' && node -e \"" + script + "\" '" +
                              arg + "' > '" + out_path + "' 2>&1";
  NodeRun run;
  run.status = std::system(command.c_str());
  std::ifstream out(out_path);
  run.output.assign(std::istreambuf_iterator<char>(out), std::istreambuf_iterator<char>());
  return run;
}

}  // namespace lakepipe::testing
