// The whole-analysis fuzz target's byte form (fuzz/trace_bytes.hpp) and its
// corpus, replayed in the normal suite: a real trace survives the byte form
// exactly, and every input that once found a bug runs through every command
// (fuzz/whole_analysis.hpp) with a clean exit status.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "whole_analysis.hpp"

namespace taskscope::fuzz {
namespace {

namespace fs = std::filesystem;

std::string scratch_dir() {
  std::string pattern = (fs::temp_directory_path() / "taskscope-fuzz-test-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

std::vector<fs::path> files_in(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> found;
  if (!fs::is_directory(dir)) return found;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file() && (extension.empty() || entry.path().extension() == extension))
      found.push_back(entry.path());
  std::sort(found.begin(), found.end());
  return found;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs a command with its stdout and stderr sent to `log`.
int run_quietly(std::vector<std::string> args, const std::string& log) {
  std::fflush(nullptr);
  const int saved_out = ::dup(STDOUT_FILENO), saved_err = ::dup(STDERR_FILENO);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ::dup2(fd, STDOUT_FILENO);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
  const int status = run_command(std::move(args));
  std::fflush(nullptr);
  ::dup2(saved_out, STDOUT_FILENO);
  ::dup2(saved_err, STDERR_FILENO);
  ::close(saved_out);
  ::close(saved_err);
  return status;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

const fs::path kTraces = fs::path(TASKSCOPE_SOURCE_DIR) / "traces";

TEST_CASE("a scenario trace in the fuzzer's byte form is analyzed exactly as the original",
          "[fuzz]") {
  const std::vector<fs::path> traces = files_in(kTraces, ".tscope");
  REQUIRE(traces.size() >= 10);
  const std::string dir = scratch_dir();
  for (const fs::path& trace : traces) {
    INFO(trace.string());
    const std::vector<uint8_t> bytes = encode_trace(trace.string());
    const std::string copy = dir + "/copy.tscope";
    REQUIRE(decode_to_trace(bytes.data(), bytes.size(), copy));
    std::string reports[2];
    for (int i = 0; i < 2; ++i) {
      const std::string path = i == 0 ? trace.string() : copy;
      const std::string out = dir + "/report.json";
      const int status =
          run_quietly({"analyze", "--format", "json", "-o", out, path}, dir + "/log");
      INFO(read_file(dir + "/log"));
      REQUIRE((status == 0 || status == 1));
      reports[i] = replace_all(read_file(out), path, "TRACE");
    }
    CHECK(reports[0] == reports[1]);
    CHECK(reports[0].find("\"findings\"") != std::string::npos);
  }
}

TEST_CASE("every command runs cleanly on the fuzz corpus and the scenario seeds", "[fuzz]") {
  std::vector<std::vector<uint8_t>> inputs;
  for (const fs::path& file :
       files_in(fs::path(TASKSCOPE_SOURCE_DIR) / "fuzz/analysis_corpus", "")) {
    const std::string bytes = read_file(file.string());
    inputs.emplace_back(bytes.begin(), bytes.end());
  }
  // The seeds scripts/fuzz.sh starts from, halved for diff at a few points.
  for (const fs::path& trace : files_in(kTraces, ".tscope")) {
    for (uint8_t split : {uint8_t{255}, uint8_t{128}, uint8_t{7}}) {
      std::vector<uint8_t> input{split};
      const std::vector<uint8_t> bytes = encode_trace(trace.string());
      input.insert(input.end(), bytes.begin(), bytes.end());
      inputs.push_back(std::move(input));
    }
  }
  const std::string dir = scratch_dir();
  int statuses_seen = 0;
  for (const auto& input : inputs) {
    std::fflush(nullptr);
    const int saved_out = ::dup(STDOUT_FILENO), saved_err = ::dup(STDERR_FILENO);
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::close(null);
    const std::vector<int> statuses = run_whole_analysis(input.data(), input.size(), dir);
    std::fflush(nullptr);
    ::dup2(saved_out, STDOUT_FILENO);
    ::dup2(saved_err, STDERR_FILENO);
    ::close(saved_out);
    ::close(saved_err);
    REQUIRE_FALSE(statuses.empty());
    for (int status : statuses) {
      CHECK((status >= 0 && status <= 2));
      ++statuses_seen;
    }
  }
  CHECK(statuses_seen > 0);
}

}  // namespace
}  // namespace taskscope::fuzz

namespace taskscope::fuzz {
namespace {

// A trace whose events lie almost 2^63 ns apart, or 2^64: the stats timeline
// once doubled its interval width past int64 and never finished.
TEST_CASE("stats and diff finish on a trace whose times span what int64 holds", "[fuzz]") {
  for (const int64_t first : {int64_t{0}, INT64_MIN + 1}) {
    INFO("first event at " << first);
    ByteWriter bytes;
    bytes.u8(0);  // diff: split at the start
    bytes.str("wide");
    for (int field = 0; field < 4; ++field) bytes.varint(1);  // pid, start time, ticks, start ticks
    bytes.str("stream");
    bytes.varint(0);
    bytes.zigzag(0);
    bytes.str("exit");
    bytes.varint(0);
    bytes.varint(format::kFormatMinor);
    bytes.u8(kBatch);
    bytes.varint(1);  // thread
    bytes.zigzag(first);
    bytes.u8(2);
    int64_t ts = 0;
    for (const int64_t at : {first, INT64_MAX - 1}) {
      format::Event e{.ts_ns = at, .thread = 1, .kind = format::EventKind::kThreadStart, .a = 1};
      write_event(bytes, ts, e);
    }
    const std::string dir = scratch_dir();
    const std::string trace = dir + "/wide.tscope";
    REQUIRE(decode_to_trace(bytes.bytes.data() + 1, bytes.bytes.size() - 1, trace));
    CHECK(run_quietly({"stats", trace}, dir + "/log") == 0);
    CHECK(run_quietly({"diff", trace, trace}, dir + "/log") == 0);
    CHECK(run_quietly({"export", "--format", "chrome", "-o", dir + "/out.json", trace},
                      dir + "/log") == 0);
  }
}

}  // namespace
}  // namespace taskscope::fuzz
