#include "hot_path/last_thread.hpp"

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
// when it cannot be read (the thread is gone). io_uring's worker threads
// (iou-wrk-N, iou-sqp-N) belong to the process but are no threads of the
// program (glibc does not wait for them either): reported as 0.
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
  const char* open = std::strchr(text, '(');
  const char* close = std::strrchr(text, ')');
  if (open == nullptr || close == nullptr || close[1] != ' ') return 0;
  if (std::strncmp(open + 1, "iou-", 4) == 0) return 0;
  return close[2];
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

int other_live_threads() noexcept {
  const long self = static_cast<long>(::syscall(SYS_gettid));
  DIR* tasks = ::opendir("/proc/self/task");
  if (tasks == nullptr) return -1;
  int live = 0;
  while (const dirent* entry = ::readdir(tasks)) {
    char* end = nullptr;
    const long tid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || tid == self) continue;
    if (!exited(thread_state(tid))) ++live;
  }
  ::closedir(tasks);
  return live;
}

}  // namespace taskscope::detail
