// libFuzzer target for the whole analysis (whole_analysis.hpp): every command
// on two well-formed traces made from the fuzzer's bytes. Exit status 2 (a
// trace the commands refuse, with one line saying why) is a fine outcome; a
// sanitizer report, a crash, a hang or an allocation past the fuzzer's limit
// is a bug.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "whole_analysis.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The reports go nowhere. The commands' one-line errors on stderr are quieted
  // by -close_fd_mask=2 (scripts/fuzz.sh), which keeps libFuzzer's own output.
  const int null = ::open("/dev/null", O_WRONLY);
  ::dup2(null, STDOUT_FILENO);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp ? tmp : "/tmp") + "/taskscope-fuzz-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    return pattern;
  }();
  taskscope::fuzz::run_whole_analysis(data, size, dir);
  return 0;
}
