// The I/O poller thread and AsyncFd reads (see io.hpp).
#include "taskscope/rt/io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <system_error>

#include "taskscope/rt/executor.hpp"
#include "taskscope/rt/join.hpp"
#include "thread_name.hpp"

namespace taskscope::rt {

IoPoller::IoPoller() {
  wakeup_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wakeup_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  thread_ = std::thread([this] { run(); });
}

IoPoller::~IoPoller() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  interrupt();
  thread_.join();
  ::close(wakeup_fd_);
}

void IoPoller::interrupt() const {
  const uint64_t one = 1;
  // The eventfd counter cannot overflow in practice; a failed write only means
  // poll() was already going to return.
  [[maybe_unused]] ssize_t written = ::write(wakeup_fd_, &one, sizeof one);
}

void IoPoller::wake_when_readable(int fd, Waker waker) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    watches_.emplace_back(fd, std::move(waker));
  }
  interrupt();
}

void IoPoller::run() {
  detail::name_this_thread("io-poller");
  std::vector<pollfd> fds;
  for (;;) {
    fds.assign(1, pollfd{wakeup_fd_, POLLIN, 0});
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      for (const auto& watch : watches_) fds.push_back(pollfd{watch.first, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;  // EINTR
    if (fds[0].revents != 0) {
      uint64_t count = 0;
      [[maybe_unused]] ssize_t got = ::read(wakeup_fd_, &count, sizeof count);
    }
    std::vector<Waker> ready;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        for (size_t w = 0; w < watches_.size();) {
          if (watches_[w].first == fds[i].fd) {
            ready.push_back(std::move(watches_[w].second));
            watches_.erase(watches_.begin() + static_cast<std::ptrdiff_t>(w));
          } else {
            ++w;
          }
        }
      }
    }
    for (Waker& waker : ready) waker.wake();
  }
}

AsyncFd::AsyncFd(int fd, std::string_view name) : fd_(fd), id_(new_resource_id()) {
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags >= 0) ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  resource_created(id_, ResourceKind::kIo, name, static_cast<uint64_t>(fd_));
}

AsyncFd::~AsyncFd() { resource_destroyed(id_); }

Task<ssize_t> AsyncFd::read_some(void* buffer, std::size_t size, std::source_location loc) {
  bool waited = false;
  for (;;) {
    const ssize_t n = ::read(fd_, buffer, size);
    const int error = errno;
    if (n >= 0 || (error != EAGAIN && error != EWOULDBLOCK && error != EINTR)) {
      if (waited) io_wait_end(id_, n >= 0 ? WaitOutcome::kCompleted : WaitOutcome::kError);
      errno = error;
      co_return n;
    }
    if (error == EINTR) continue;
    if (!waited) {
      io_wait_begin(fd_, id_, detail::where(loc));
      waited = true;
    }
    Executor::current()->io().wake_when_readable(fd_, Waker::for_current_task(id_));
    co_await pending();
  }
}

}  // namespace taskscope::rt
