// Symbols for a trace whose program is no longer where it ran (docs/trace-format.md,
// "Module files"): held_lock is copied to a scratch path, recorded from there
// through `taskscope record`, then its debug information is put in a .build-id
// tree as Debian's debug packages lay it out (objcopy --only-keep-debug) and
// the copy is deleted, or replaced by another build. Without --debug-dir every
// command names its code "module+0x..." and analyze says which build id was
// missing; with it, the call sites and variables get their names back.
#include <catch2/catch.hpp>
#include <filesystem>

#include "support.hpp"

namespace taskscope::preload_test {
namespace {

using Catch::Matchers::Contains;

struct MovedRecording {
  std::string binary;  // where it ran (deleted or replaced by the tests)
  std::string trace;
  std::string build_id;  // as the module map records it
  std::string debug_dir;
};

std::string basename_of(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

// Records a copy of held_lock and files its debug information by build id.
MovedRecording record_moved() {
  MovedRecording moved;
  moved.binary = scratch_path("moved_lock");
  std::filesystem::copy_file(program("held_lock"), moved.binary);
  moved.trace = scratch_path("moved.tscope");
  const RunResult run = run_shell(std::string(TASKSCOPE_CLI) + " record -o " + quote(moved.trace) +
                                  " " + kFinishOptions + " -- " + quote(moved.binary) + " 10 30");
  INFO(run.err);
  REQUIRE(run.status == 0);

  const Trace trace = read_trace(moved.trace);
  uint64_t load_address = 0;
  bool mapped = false;
  for (const format::Event& e : trace.of_kind(format::EventKind::kModuleMap))
    if (trace.text(e.str) == moved.binary) load_address = e.a, mapped = true;
  REQUIRE(mapped);
  for (const format::Event& e : trace.of_kind(format::EventKind::kModuleBuildId))
    if (e.a == load_address) moved.build_id = trace.text(e.str);
  REQUIRE(moved.build_id.size() >= 4);
  // The recorder read it from memory; it is the file's own.
  const RunResult notes = run_shell("readelf -n " + quote(moved.binary));
  CHECK_THAT(notes.out, Contains("Build ID: " + moved.build_id));

  moved.debug_dir = scratch_path("debug");
  const std::string subdir = moved.debug_dir + "/.build-id/" + moved.build_id.substr(0, 2);
  std::filesystem::create_directories(subdir);
  const std::string debug_file = subdir + "/" + moved.build_id.substr(2) + ".debug";
  const RunResult objcopy =
      run_shell("objcopy --only-keep-debug " + quote(moved.binary) + " " + quote(debug_file));
  INFO(objcopy.err);
  REQUIRE(objcopy.status == 0);
  return moved;
}

RunResult cli(const std::string& arguments) {
  RunResult result = run_shell(std::string(TASKSCOPE_CLI) + " " + arguments);
  INFO(arguments << "\n" << result.err);
  CHECK((result.status == 0 || result.status == 1));  // 1: analyze found an error
  return result;
}

// Without --debug-dir: module+offset names, and the build id said missing.
void check_unnamed(const MovedRecording& moved) {
  const std::string trace = quote(moved.trace);
  const RunResult dump = cli("dump " + trace + " --kind acquired --limit 50");
  INFO(dump.out);
  CHECK_THAT(dump.out, !Contains("held_lock.c:"));
  CHECK_THAT(dump.out, Contains(basename_of(moved.binary) + "+0x"));
  const RunResult stats = cli("stats " + trace);
  CHECK_THAT(stats.out, !Contains("queue_lock"));
  const RunResult text = cli("analyze " + trace);
  INFO(text.out);
  CHECK_THAT(text.out, Contains("symbols: 1 module not found: " + moved.binary + " (build id " +
                                moved.build_id + ")"));
  const RunResult json = analyze_json(moved.trace);
  CHECK_THAT(json.out, Contains("\"path\": \"" + moved.binary + "\"") &&
                           Contains("\"build_id\": \"" + moved.build_id + "\""));
}

// With --debug-dir: the call sites and variables named as for a local binary.
void check_named(const MovedRecording& moved) {
  const std::string options = quote(moved.trace) + " --debug-dir " + quote(moved.debug_dir);
  const RunResult dump = cli("dump " + options + " --kind acquired --limit 50");
  INFO(dump.out);
  CHECK_THAT(dump.out, Contains("held_lock.c:") && Contains("resource=mutex \"queue_lock\""));
  const RunResult stats = cli("stats " + options);
  CHECK_THAT(stats.out, Contains("mutex queue_lock") && Contains("mutex stats_lock"));
  const RunResult text = cli("analyze " + options);
  INFO(text.out);
  CHECK_THAT(text.out, !Contains(moved.build_id));
}

}  // namespace

TEST_CASE("a deleted binary is named by module and offset, and by --debug-dir",
          "[preload][modules]") {
  const MovedRecording moved = record_moved();
  std::filesystem::remove(moved.binary);
  check_unnamed(moved);
  check_named(moved);
}

TEST_CASE("another build at the recorded path is not trusted", "[preload][modules]") {
  const MovedRecording moved = record_moved();
  // Another program with debug info of its own now sits at the path.
  std::filesystem::remove(moved.binary);
  std::filesystem::copy_file(program("double_lock"), moved.binary);
  check_unnamed(moved);
  check_named(moved);
}

}  // namespace taskscope::preload_test
