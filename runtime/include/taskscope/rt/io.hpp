// Async reads from file descriptors (sockets, pipes).
//
//   rt::AsyncFd upstream(fd, "upstream socket");
//   char buf[256];
//   ssize_t n = co_await upstream.read_some(buf, sizeof buf);   // 0 at end of file
//
// A read that finds no data records kWaitBegin(kIo, a = the fd's resource,
// b = fd) on the task, registers a Waker with the executor's poller thread
// ("io-poller", one poll() over every watched fd) and suspends; kWaitEnd follows
// when data (or end of file) arrives. For the analyzer an I/O wait is a wait on
// the outside world: such a task may progress, it is "stalled", never deadlocked.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <mutex>
#include <source_location>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "taskscope/rt/task.hpp"
#include "taskscope/rt/waker.hpp"

namespace taskscope::rt {

// Wakes tasks when their file descriptor becomes readable. Invariant: each
// watch is woken once (readable, hung up or in error) and then removed; the
// eventfd wakeup_fd_ interrupts poll() whenever watches_ changes.
class IoPoller {
 public:
  IoPoller();
  ~IoPoller();
  IoPoller(const IoPoller&) = delete;
  IoPoller& operator=(const IoPoller&) = delete;

  void wake_when_readable(int fd, Waker waker);

 private:
  void run();
  void interrupt() const;

  std::mutex mutex_;
  std::vector<std::pair<int, Waker>> watches_;
  bool stopping_ = false;
  int wakeup_fd_ = -1;
  std::thread thread_;
};

// A file descriptor read by tasks. Does not own the descriptor; makes it
// non-blocking. Announced as an I/O resource so reports can name it.
class AsyncFd {
 public:
  AsyncFd(int fd, std::string_view name);
  ~AsyncFd();
  AsyncFd(const AsyncFd&) = delete;
  AsyncFd& operator=(const AsyncFd&) = delete;

  int fd() const noexcept { return fd_; }
  ResourceId id() const noexcept { return id_; }

  // Reads what is available (at least one byte), suspending while there is
  // none. Returns the byte count, 0 at end of file, -1 on error (errno set).
  // The AsyncFd and the buffer must outlive the returned Task.
  Task<ssize_t> read_some(void* buffer, std::size_t size,
                          std::source_location loc = std::source_location::current());

 private:
  int fd_;
  ResourceId id_;
};

}  // namespace taskscope::rt
