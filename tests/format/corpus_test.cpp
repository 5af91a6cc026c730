// Replays the fuzzer's seed corpus (fuzz/corpus) through the reader: every file
// either reads or fails with a TraceError, never anything else.
#include <catch2/catch.hpp>
#include <filesystem>

#include "trace_builder.hpp"

using namespace taskscope::format;

TEST_CASE("every file of the fuzz corpus reads or fails cleanly", "[corpus]") {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TASKSCOPE_FUZZ_CORPUS)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    INFO(entry.path().string());
    try {
      testing::ReadBack back(entry.path().string());
      CHECK(back.reader.status().frames >= 1);
    } catch (const TraceError& e) {
      CHECK(std::string(e.what()).find(entry.path().string()) == 0);
    }
  }
  CHECK(files >= 3);
}
