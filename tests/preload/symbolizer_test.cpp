// Symbolizer (analyzer/src/symbolize): "pc:0x..", stacks and "sym:0x.." turned
// into source locations and function names, on this test binary and on a
// recorded program's trace.
#include "taskscope/analyzer/symbolizer.hpp"

#include <link.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include "support.hpp"

namespace taskscope::preload_test {
namespace {

using analyzer::Symbolizer;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

std::string hex(const void* address, const char* prefix) {
  char text[40];
  std::snprintf(text, sizeof text, "%s0x%" PRIxPTR, prefix, reinterpret_cast<uintptr_t>(address));
  return text;
}

// Adds every module of this process, the way kModuleMap events describe them.
void add_own_modules(Symbolizer& symbolizer) {
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        uint64_t end = 0;
        for (int i = 0; i < info->dlpi_phnum; ++i)
          if (info->dlpi_phdr[i].p_type == PT_LOAD)
            end = std::max<uint64_t>(end, info->dlpi_phdr[i].p_vaddr + info->dlpi_phdr[i].p_memsz);
        std::string path = info->dlpi_name;
        if (path.empty()) {
          char buffer[4096];
          const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
          path.assign(buffer, n > 0 ? static_cast<size_t>(n) : 0);
        }
        static_cast<Symbolizer*>(data)->add_module(info->dlpi_addr, end, path);
        return 0;
      },
      &symbolizer);
}

__attribute__((noinline)) const void* caller_address() { return __builtin_return_address(0); }

__attribute__((noinline)) const void* locate_me() {
  const void* address = caller_address();  // the line the test looks for
  asm volatile("" ::: "memory");           // keep the call from being a tail call
  return address;
}
constexpr int kLocateLine = __LINE__ - 4;

// The line of the first frame of `location` ("programs/x.cpp:17 (f) <- ..."),
// or 0 when it is not in `file`.
int first_line_in(const std::string& location, const std::string& file) {
  if (location.rfind(file + ":", 0) != 0) return 0;
  return std::atoi(location.c_str() + file.size() + 1);
}

// Records programs/std_sites.cpp built as `program_name` and checks that every
// location in the trace is one of its own lines, and that the acquisitions are
// at the lines marked "taken here". Every hold is recorded (--holds all), so
// that each acquisition's site is in the trace.
void check_std_sites(const std::string& program_name) {
  const Recording recording = record(program_name, std::string(kFinishOptions) + " --holds all");
  INFO(recording.run.err);
  REQUIRE(recording.run.status == 0);
  REQUIRE(recording.run.out == "0\n");
  const Trace trace = read_trace(recording.trace);
  Symbolizer symbolizer;
  for (const auto& e : trace.of_kind(format::EventKind::kModuleMap))
    symbolizer.add_module(e.a, e.b, trace.text(e.str));
  const std::string file = "programs/std_sites.cpp";
  std::set<int> taken;
  for (const auto& e : trace.of_kind(format::EventKind::kAcquired)) {
    const std::string where = symbolizer.describe(trace.text(e.str));
    INFO(trace.text(e.str) << " -> " << where);
    CHECK_THAT(where, StartsWith(file + ":"));
    taken.insert(first_line_in(where, file));
  }
  for (auto kind : {format::EventKind::kWaitBegin, format::EventKind::kNotify}) {
    for (const auto& e : trace.of_kind(kind)) {
      const std::string where = symbolizer.describe(trace.text(e.str));
      INFO(trace.text(e.str) << " -> " << where);
      CHECK_THAT(where, StartsWith(file + ":"));
    }
  }
  const std::set<int> marked = marked_lines("std_sites.cpp", "// taken here");
  for (int line : taken) {
    INFO("acquired at line " << line);
    CHECK(marked.count(line) == 1);
  }
  // lock_guard, try_lock and unique_lock always take the mutex; the condvar
  // wait re-takes it only when the spender had to wait.
  CHECK(taken.size() >= 3);
}

}  // namespace

TEST_CASE("symbolizer: a return address becomes file:line (function)", "[preload][symbolizer]") {
  Symbolizer symbolizer;
  add_own_modules(symbolizer);
  const std::string text = symbolizer.describe(hex(locate_me(), "pc:"));
  CHECK_THAT(text, StartsWith("preload/symbolizer_test.cpp:" + std::to_string(kLocateLine)));
  CHECK_THAT(text, Contains("locate_me"));
  // Cached: the same answer again.
  CHECK(symbolizer.describe(hex(locate_me(), "pc:")) == text);
}

TEST_CASE("symbolizer: a function address becomes the function's name", "[preload][symbolizer]") {
  Symbolizer symbolizer;
  add_own_modules(symbolizer);
  const std::string text =
      symbolizer.describe(hex(reinterpret_cast<const void*>(&caller_address), "sym:"));
  CHECK_THAT(text, Contains("caller_address"));
  CHECK_THAT(text, !Contains("("));  // no parameter list
}

TEST_CASE("symbolizer: a stack lists the program's frames, innermost first",
          "[preload][symbolizer]") {
  Symbolizer symbolizer;
  add_own_modules(symbolizer);
  const std::string stack = hex(locate_me(), "pc:") + ";" + hex(locate_me(), "pc:");
  const std::string text = symbolizer.describe(stack);
  CHECK_THAT(text, Contains(" <- "));
  CHECK_THAT(text, StartsWith("preload/symbolizer_test.cpp:"));
}

TEST_CASE("symbolizer: other text, and unknown addresses, are left alone",
          "[preload][symbolizer]") {
  Symbolizer symbolizer;
  add_own_modules(symbolizer);
  CHECK(symbolizer.describe("bank.c:41 transfer") == "bank.c:41 transfer");
  CHECK(symbolizer.describe("") == "");
  CHECK(symbolizer.describe("pc:0x10") == "pc:0x10");
  CHECK(symbolizer.describe("pc:0xnothex") == "pc:0xnothex");
  Symbolizer empty;
  CHECK(empty.describe(hex(locate_me(), "pc:")) == hex(locate_me(), "pc:"));
}

TEST_CASE("symbolizer: without debug info, module+offset and the symbol", "[preload][symbolizer]") {
  Symbolizer symbolizer;
  add_own_modules(symbolizer);
  // libc has no debug info installed here; its exported symbols name the place.
  const void* in_libc = reinterpret_cast<const void*>(&std::fflush);
  const std::string text = symbolizer.describe(hex(static_cast<const char*>(in_libc) + 1, "pc:"));
  INFO(text);
  CHECK_THAT(text, Contains("libc.so.6+0x") || Contains(".c:"));
  CHECK_THAT(text, Contains("fflush"));
}

TEST_CASE("symbolizer: a recorded program's call sites and thread names", "[preload][symbolizer]") {
  const Recording recording = record("shim_features", kFinishOptions);
  REQUIRE(recording.run.status == 0);
  const Trace trace = read_trace(recording.trace);
  Symbolizer symbolizer;
  for (const auto& e : trace.of_kind(format::EventKind::kModuleMap))
    symbolizer.add_module(e.a, e.b, trace.text(e.str));
  const auto acquisitions = trace.of_kind(format::EventKind::kAcquired);
  REQUIRE(!acquisitions.empty());
  const std::string first_lock = symbolizer.describe(trace.text(acquisitions.front().str));
  CHECK_THAT(first_lock, StartsWith("programs/shim_features.c:"));
  CHECK_THAT(first_lock, Contains("(main)"));
  bool worker_named = false;
  for (const auto& e : trace.of_kind(format::EventKind::kThreadStart))
    worker_named = worker_named || symbolizer.describe(trace.text(e.str)) == "routine_named_worker";
  CHECK(worker_named);
}

TEST_CASE("symbolizer: std::mutex and condvar sites at -O0 are the program's own lines",
          "[preload][symbolizer]") {
  check_std_sites("std_sites_O0");
}

TEST_CASE("symbolizer: std::mutex and condvar sites at -O2 are the program's own lines",
          "[preload][symbolizer]") {
  check_std_sites("std_sites_O2");
}

}  // namespace taskscope::preload_test
