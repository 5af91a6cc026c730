#include "last_thread.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace taskscope::detail {
namespace {

// The state letter of /proc/self/task/<tid>/stat ('R', 'S', 'Z', ...), or 0
// when it cannot be read (the thread is gone).
char thread_state(long tid) noexcept {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tid);
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[512];
  const ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0) return 0;
  text[n] = '\0';
  // "<tid> (<comm>) <state> ...": the name may hold spaces and parentheses.
  const char* close = std::strrchr(text, ')');
  return close != nullptr && close[1] == ' ' ? close[2] : 0;
}

bool exited(char state) noexcept { return state == 0 || state == 'Z' || state == 'X'; }

}  // namespace

bool only_caller_left() noexcept {
  const long self = static_cast<long>(::syscall(SYS_gettid));
  const long main_thread = static_cast<long>(::getpid());
  if (self == main_thread || !exited(thread_state(main_thread))) return false;
  DIR* tasks = ::opendir("/proc/self/task");
  if (tasks == nullptr) return false;
  bool alone = true;
  while (const dirent* entry = ::readdir(tasks)) {
    char* end = nullptr;
    const long tid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || tid == self) continue;
    if (!exited(thread_state(tid))) {
      alone = false;
      break;
    }
  }
  ::closedir(tasks);
  return alone;
}

}  // namespace taskscope::detail
