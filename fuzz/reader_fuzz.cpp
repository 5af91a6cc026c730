// Feeds arbitrary bytes to the trace reader as a file. Any outcome but a clean
// read or a TraceError is a bug.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "taskscope/format/reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("taskscope-fuzz", 0);
  if (fd < 0) return 0;
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) return 0;
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  try {
    taskscope::format::TraceReader reader(path);
    taskscope::format::Event event;
    uint64_t sum = 0;
    while (reader.next(event)) sum += event.a + reader.string(event.str).size();
    (void)reader.status().summary();
    return sum == 42 ? 0 : 0;
  } catch (const taskscope::format::TraceError&) {
    return 0;
  }
}
