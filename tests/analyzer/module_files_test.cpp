// Module files named by a trace (analyzer/src/symbolize/module_files.cpp): a
// trace from elsewhere may name a FIFO, a device, a file that is not there or
// one of another build. Every command still reads it, never blocks, and names
// code in such modules "module+0x..."; the report lists the modules not found.
// The CLI runs in a child under `timeout` only as a safety net, so that a
// regression fails the test instead of hanging the suite.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

#include "run_cli.hpp"
#include "script.hpp"
#include "trace_file.hpp"

namespace taskscope::test {
namespace {

using Catch::Matchers::Contains;

constexpr uint64_t kProgramBias = 0x400000;
constexpr uint64_t kDeviceBias = 0x500000;
constexpr const char* kBuildId = "0011223344556677889900112233445566778899";

// A fresh directory under the temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "taskscope-modules-XXXXXX");
    path_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& str() const { return path_; }

 private:
  std::string path_;
};

// Writes `script` as a trace of format 1.`minor`, without analyzing it in this
// process (write_trace does, and a regression would block the test itself).
void write_plain(const Script& script, const std::string& path, uint16_t minor) {
  REQUIRE(test::write_trace_file(script, path, true, "exit", -1, minor));
}

// Two threads deadlocked, their locks taken at call sites in the two modules,
// so that the report names those sites.
Script deadlock_in_modules(const std::string& program, const std::string& device,
                           const std::string& program_build_id) {
  Script s;
  s.at(0);
  s.emit(0, EventKind::kModuleMap, 0, kProgramBias, 0x10000, s.str(program));
  if (!program_build_id.empty())
    s.emit(0, EventKind::kModuleBuildId, 0, kProgramBias, 0, s.str(program_build_id));
  s.emit(0, EventKind::kModuleMap, 0, kDeviceBias, 0x10000, s.str(device));
  s.thread(1, "first").thread(2, "second");
  s.mutex(1, 10, "left").mutex(1, 11, "right");
  s.at(1).lock(1, 10, "pc:0x400105");
  s.at(2).lock(2, 11, "pc:0x500205");
  s.at(3).block_lock(1, 11, "pc:0x400109");
  s.at(4).block_lock(2, 10, "pc:0x500209");
  s.at(5000).emit(1, EventKind::kMark, 0, s.str("end"));
  return s;
}

// The CLI in a child, killed if it runs past a generous bound (status 124).
testing::CliResult bounded_cli(const std::string& args) {
  static int counter = 0;
  const std::string err_path =
      (std::filesystem::temp_directory_path() /
       ("taskscope-modules-err-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
          .string();
  const std::string command =
      "timeout -k 5 60 " + std::string(TASKSCOPE_CLI) + " " + args + " 2>" + err_path;
  testing::CliResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.err = testing::slurp(err_path);
  std::remove(err_path.c_str());
  return result;
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

}  // namespace

TEST_CASE("a module map naming a FIFO and /dev/zero is read without blocking", "[modules]") {
  TempDir dir;
  REQUIRE_FALSE(dir.str().empty());
  const std::string fifo = dir.str() + "/app";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string trace = dir.str() + "/fifo.tscope";
  write_plain(deadlock_in_modules(fifo, "/dev/zero", kBuildId), trace, format::kFormatMinor);

  // No process ever opens the FIFO for writing: opening it to read would block.
  const testing::CliResult json = bounded_cli("analyze " + quoted(trace) + " --format json");
  INFO(json.err);
  REQUIRE(json.status == 1);  // the deadlock is an error finding
  CHECK_THAT(json.out, Contains("\"kind\": \"deadlock\""));
  // Code in both modules is named by module and offset, never by the raw address.
  CHECK_THAT(json.out, Contains("app+0x105"));
  CHECK_THAT(json.out, Contains("zero+0x205"));
  CHECK_THAT(json.out, !Contains("pc:0x"));
  CHECK_THAT(json.out, Contains("\"path\": \"" + fifo + "\"") && Contains(kBuildId));
  CHECK_THAT(json.out, Contains("\"path\": \"/dev/zero\""));

  const testing::CliResult text = bounded_cli("analyze " + quoted(trace));
  CHECK(text.status == 1);
  CHECK_THAT(text.out, Contains("symbols: 2 modules not found: " + fifo + " (build id " + kBuildId +
                                "), /dev/zero (no build id recorded)"));
  for (const char* command : {"stats", "dump", "info", "export"}) {
    INFO(command);
    const std::string out = dir.str() + "/out.json";
    const testing::CliResult result = bounded_cli(
        std::string(command) + " " + quoted(trace) +
        (std::string(command) == "export" ? " --format chrome -o " + quoted(out) : std::string()));
    INFO(result.err);
    CHECK(result.status == 0);
  }
}

TEST_CASE("a local file of another build at the recorded path is not used", "[modules]") {
  TempDir dir;
  REQUIRE_FALSE(dir.str().empty());
  // A real ELF file with symbols sits at the recorded path, but the trace says
  // the module was another build.
  const std::string program = dir.str() + "/app";
  std::filesystem::copy_file(TASKSCOPE_CLI, program);
  const std::string trace = dir.str() + "/other.tscope";
  write_plain(deadlock_in_modules(program, dir.str() + "/gone.so", kBuildId), trace,
              format::kFormatMinor);

  const testing::CliResult json = bounded_cli("analyze " + quoted(trace) + " --format json");
  INFO(json.err);
  REQUIRE(json.status == 1);
  CHECK_THAT(json.out, Contains("app+0x105") && Contains("gone.so+0x205"));
  CHECK_THAT(json.out, Contains("\"path\": \"" + program + "\"") && Contains(kBuildId));
}

TEST_CASE("a format 1.3 trace, without build ids, still reads and names its modules", "[modules]") {
  TempDir dir;
  REQUIRE_FALSE(dir.str().empty());
  const std::string trace = dir.str() + "/old.tscope";
  const std::string missing = dir.str() + "/bin/app";
  write_plain(deadlock_in_modules(missing, "/dev/zero", ""), trace, 3);

  const testing::CliResult info = bounded_cli("info " + quoted(trace));
  INFO(info.err);
  CHECK(info.status == 0);
  const testing::CliResult json = bounded_cli("analyze " + quoted(trace) + " --format json");
  INFO(json.err);
  REQUIRE(json.status == 1);
  CHECK_THAT(json.out, Contains("\"kind\": \"deadlock\"") && Contains("app+0x105"));
  CHECK_THAT(json.out,
             Contains("\"path\": \"" + missing + "\",\n") && Contains("\"build_id\": null"));
  const std::string violation = schema_violation(json.out);
  CHECK(violation.empty());
  const testing::CliResult text = bounded_cli("analyze " + quoted(trace));
  CHECK_THAT(text.out, Contains(missing + " (no build id recorded)"));
}

TEST_CASE("a debug directory that does not exist is refused", "[modules]") {
  TempDir dir;
  REQUIRE_FALSE(dir.str().empty());
  const std::string trace = dir.str() + "/old.tscope";
  write_plain(deadlock_in_modules(dir.str() + "/app", "/dev/zero", ""), trace, 3);
  const testing::CliResult result =
      bounded_cli("analyze " + quoted(trace) + " --debug-dir " + quoted(dir.str() + "/none"));
  CHECK(result.status == 2);
  CHECK_THAT(result.err, Contains("--debug-dir"));
}

}  // namespace taskscope::test
