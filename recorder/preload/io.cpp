// Blocking waits on file descriptors, recorded as I/O waits:
// wait_begin(0, kIo, fd, timed, where) ... wait_end(0, kCompleted | kTimedOut |
// kError). The resource is 0 (untracked): the analyzer treats I/O as the
// outside world, which may always progress; what matters is that a thread
// blocked in accept() is shown as "waiting on I/O (fd 5)", not as stuck.
//
//  - poll/ppoll/epoll_wait/epoll_pwait/select/pselect: recorded unless the
//    timeout is zero (a non-blocking check, frequent in event loops); b is the
//    first polled fd, the epoll fd, or nfds - 1 for select.
//  - accept/accept4/connect/recv/recvfrom/recvmsg: always sockets; recorded.
//  - read: recorded only for sockets and pipes/FIFOs (a file read is not a
//    wait). The fd's type comes from one fstat, cached per fd; close, dup2 and
//    dup3 forget the cached type, and calls that create fds (socket, pipe,
//    accept) reset it, since an fd closed inside libc (fclose) is not seen.
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.hpp"

namespace taskscope::preload {
namespace {

RealFunction<int (*)(pollfd*, nfds_t, int)> real_poll("poll");
RealFunction<int (*)(pollfd*, nfds_t, const timespec*, const sigset_t*)> real_ppoll("ppoll");
RealFunction<int (*)(int, epoll_event*, int, int)> real_epoll_wait("epoll_wait");
RealFunction<int (*)(int, epoll_event*, int, int, const sigset_t*)> real_epoll_pwait("epoll_pwait");
RealFunction<int (*)(int, fd_set*, fd_set*, fd_set*, timeval*)> real_select("select");
RealFunction<int (*)(int, fd_set*, fd_set*, fd_set*, const timespec*, const sigset_t*)>
    real_pselect("pselect");
RealFunction<int (*)(int, sockaddr*, socklen_t*)> real_accept("accept");
RealFunction<int (*)(int, sockaddr*, socklen_t*, int)> real_accept4("accept4");
RealFunction<int (*)(int, const sockaddr*, socklen_t)> real_connect("connect");
RealFunction<ssize_t (*)(int, void*, size_t)> real_read("read");
RealFunction<ssize_t (*)(int, void*, size_t, int)> real_recv("recv");
RealFunction<ssize_t (*)(int, void*, size_t, int, sockaddr*, socklen_t*)> real_recvfrom("recvfrom");
RealFunction<ssize_t (*)(int, msghdr*, int)> real_recvmsg("recvmsg");
RealFunction<int (*)(int)> real_close("close");
RealFunction<int (*)(int, int)> real_dup2("dup2");
RealFunction<int (*)(int, int, int)> real_dup3("dup3");
RealFunction<int (*)(int, int, int)> real_socket("socket");
RealFunction<int (*)(int, int, int, int*)> real_socketpair("socketpair");
RealFunction<int (*)(int*)> real_pipe("pipe");
RealFunction<int (*)(int*, int)> real_pipe2("pipe2");

// Per-fd cache of "can a read block": 0 unknown, 1 no (file, device), 2 yes.
constexpr int kCachedFds = 1 << 16;
std::atomic<uint8_t> g_fd_waitable[kCachedFds];

void forget(int fd) {
  if (fd >= 0 && fd < kCachedFds) g_fd_waitable[fd].store(0, std::memory_order_relaxed);
}

bool read_can_block(int fd) {
  if (fd < 0) return false;
  uint8_t cached = fd < kCachedFds ? g_fd_waitable[fd].load(std::memory_order_relaxed) : 0;
  if (cached == 0) {
    struct stat st {};
    cached = fstat(fd, &st) == 0 && (S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode)) ? 2 : 1;
    if (fd < kCachedFds) g_fd_waitable[fd].store(cached, std::memory_order_relaxed);
  }
  return cached == 2;
}

// Runs `real` as an I/O wait on `fd`; a negative result is an error.
template <typename RealFn>
auto io_wait(IoOp op, int fd, bool timed, StringId where, RealFn&& real) {
  {
    BusyScope busy;
    io_wait_begin(fd, 0, where, op, timed);
  }
  const auto result = real();
  BusyScope busy;
  busy.keep_errno();
  // Only a multiplexing wait with a timeout returns 0 for "nothing happened";
  // elsewhere 0 is a result (fd 0, end of file, connected).
  wait_end(0, result < 0             ? WaitOutcome::kError
              : result == 0 && timed ? WaitOutcome::kTimedOut
                                     : WaitOutcome::kCompleted);
  return result;
}

StringId slow_site(const void* return_address) {
  BusyScope busy;
  return stack_site(return_address);
}

StringId fast_site(const void* return_address) {
  BusyScope busy;
  return site(return_address);
}

int first_fd(const pollfd* fds, nfds_t count) { return count > 0 && fds ? fds[0].fd : -1; }

bool is_zero(const timespec* t) { return t != nullptr && t->tv_sec == 0 && t->tv_nsec == 0; }
bool is_zero(const timeval* t) { return t != nullptr && t->tv_sec == 0 && t->tv_usec == 0; }

}  // namespace
}  // namespace taskscope::preload

using namespace taskscope;
using namespace taskscope::preload;

TASKSCOPE_INTERPOSE int poll(pollfd* fds, nfds_t count, int timeout_ms) {
  if (timeout_ms == 0 || !should_record(__builtin_return_address(0)))
    return real_poll.get()(fds, count, timeout_ms);
  return io_wait(IoOp::kReady, first_fd(fds, count), timeout_ms > 0,
                 slow_site(__builtin_return_address(0)),
                 [&] { return real_poll.get()(fds, count, timeout_ms); });
}

TASKSCOPE_INTERPOSE int ppoll(pollfd* fds, nfds_t count, const timespec* timeout,
                              const sigset_t* mask) {
  if (is_zero(timeout) || !should_record(__builtin_return_address(0)))
    return real_ppoll.get()(fds, count, timeout, mask);
  return io_wait(IoOp::kReady, first_fd(fds, count), timeout != nullptr,
                 slow_site(__builtin_return_address(0)),
                 [&] { return real_ppoll.get()(fds, count, timeout, mask); });
}

TASKSCOPE_INTERPOSE int epoll_wait(int epfd, epoll_event* events, int max, int timeout_ms) {
  if (timeout_ms == 0 || !should_record(__builtin_return_address(0)))
    return real_epoll_wait.get()(epfd, events, max, timeout_ms);
  return io_wait(IoOp::kReady, epfd, timeout_ms > 0, slow_site(__builtin_return_address(0)),
                 [&] { return real_epoll_wait.get()(epfd, events, max, timeout_ms); });
}

TASKSCOPE_INTERPOSE int epoll_pwait(int epfd, epoll_event* events, int max, int timeout_ms,
                                    const sigset_t* mask) {
  if (timeout_ms == 0 || !should_record(__builtin_return_address(0)))
    return real_epoll_pwait.get()(epfd, events, max, timeout_ms, mask);
  return io_wait(IoOp::kReady, epfd, timeout_ms > 0, slow_site(__builtin_return_address(0)),
                 [&] { return real_epoll_pwait.get()(epfd, events, max, timeout_ms, mask); });
}

TASKSCOPE_INTERPOSE int select(int nfds, fd_set* readfds, fd_set* writefds, fd_set* exceptfds,
                               timeval* timeout) {
  if (is_zero(timeout) || !should_record(__builtin_return_address(0)))
    return real_select.get()(nfds, readfds, writefds, exceptfds, timeout);
  return io_wait(IoOp::kReady, nfds - 1, timeout != nullptr, slow_site(__builtin_return_address(0)),
                 [&] { return real_select.get()(nfds, readfds, writefds, exceptfds, timeout); });
}

TASKSCOPE_INTERPOSE int pselect(int nfds, fd_set* readfds, fd_set* writefds, fd_set* exceptfds,
                                const timespec* timeout, const sigset_t* mask) {
  if (is_zero(timeout) || !should_record(__builtin_return_address(0)))
    return real_pselect.get()(nfds, readfds, writefds, exceptfds, timeout, mask);
  return io_wait(
      IoOp::kReady, nfds - 1, timeout != nullptr, slow_site(__builtin_return_address(0)),
      [&] { return real_pselect.get()(nfds, readfds, writefds, exceptfds, timeout, mask); });
}

TASKSCOPE_INTERPOSE int accept(int fd, sockaddr* address, socklen_t* length) {
  if (!should_record(__builtin_return_address(0))) return real_accept.get()(fd, address, length);
  const int result = io_wait(IoOp::kAccept, fd, false, slow_site(__builtin_return_address(0)),
                             [&] { return real_accept.get()(fd, address, length); });
  forget(result);
  return result;
}

TASKSCOPE_INTERPOSE int accept4(int fd, sockaddr* address, socklen_t* length, int flags) {
  if (!should_record(__builtin_return_address(0)))
    return real_accept4.get()(fd, address, length, flags);
  const int result = io_wait(IoOp::kAccept, fd, false, slow_site(__builtin_return_address(0)),
                             [&] { return real_accept4.get()(fd, address, length, flags); });
  forget(result);
  return result;
}

TASKSCOPE_INTERPOSE int connect(int fd, const sockaddr* address, socklen_t length) {
  if (!should_record(__builtin_return_address(0))) return real_connect.get()(fd, address, length);
  return io_wait(IoOp::kConnect, fd, false, slow_site(__builtin_return_address(0)),
                 [&] { return real_connect.get()(fd, address, length); });
}

TASKSCOPE_INTERPOSE ssize_t read(int fd, void* buffer, size_t size) {
  if (!should_record(__builtin_return_address(0)) || !read_can_block(fd))
    return real_read.get()(fd, buffer, size);
  return io_wait(IoOp::kRead, fd, false, fast_site(__builtin_return_address(0)),
                 [&] { return real_read.get()(fd, buffer, size); });
}

TASKSCOPE_INTERPOSE ssize_t recv(int fd, void* buffer, size_t size, int flags) {
  if (!should_record(__builtin_return_address(0))) return real_recv.get()(fd, buffer, size, flags);
  return io_wait(IoOp::kRead, fd, false, fast_site(__builtin_return_address(0)),
                 [&] { return real_recv.get()(fd, buffer, size, flags); });
}

TASKSCOPE_INTERPOSE ssize_t recvfrom(int fd, void* buffer, size_t size, int flags,
                                     sockaddr* address, socklen_t* length) {
  if (!should_record(__builtin_return_address(0)))
    return real_recvfrom.get()(fd, buffer, size, flags, address, length);
  return io_wait(IoOp::kRead, fd, false, fast_site(__builtin_return_address(0)),
                 [&] { return real_recvfrom.get()(fd, buffer, size, flags, address, length); });
}

TASKSCOPE_INTERPOSE ssize_t recvmsg(int fd, msghdr* message, int flags) {
  if (!should_record(__builtin_return_address(0))) return real_recvmsg.get()(fd, message, flags);
  return io_wait(IoOp::kRead, fd, false, fast_site(__builtin_return_address(0)),
                 [&] { return real_recvmsg.get()(fd, message, flags); });
}

// ---- fd lifetime: keep the read_can_block cache honest ----

TASKSCOPE_INTERPOSE int close(int fd) {
  forget(fd);
  return real_close.get()(fd);
}

TASKSCOPE_INTERPOSE int dup2(int from, int to) {
  forget(to);
  return real_dup2.get()(from, to);
}

TASKSCOPE_INTERPOSE int dup3(int from, int to, int flags) {
  forget(to);
  return real_dup3.get()(from, to, flags);
}

TASKSCOPE_INTERPOSE int socket(int domain, int type, int protocol) {
  const int fd = real_socket.get()(domain, type, protocol);
  forget(fd);
  return fd;
}

TASKSCOPE_INTERPOSE int socketpair(int domain, int type, int protocol, int fds[2]) {
  const int rc = real_socketpair.get()(domain, type, protocol, fds);
  if (rc == 0) forget(fds[0]), forget(fds[1]);
  return rc;
}

TASKSCOPE_INTERPOSE int pipe(int fds[2]) {
  const int rc = real_pipe.get()(fds);
  if (rc == 0) forget(fds[0]), forget(fds[1]);
  return rc;
}

TASKSCOPE_INTERPOSE int pipe2(int fds[2], int flags) {
  const int rc = real_pipe2.get()(fds, flags);
  if (rc == 0) forget(fds[0]), forget(fds[1]);
  return rc;
}
