// AsyncFd: reads suspend until data or end of file arrives, without holding
// the worker thread.
#include "taskscope/rt/io.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <string>

#include "taskscope/rt/executor.hpp"

namespace rt = taskscope::rt;

namespace {

// Both ends of a connected socket pair, closed at the end of the test.
struct SocketPair {
  int fds[2] = {-1, -1};
  SocketPair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0); }
  ~SocketPair() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
};

rt::Task<std::string> read_once(int fd) {
  rt::AsyncFd in(fd, "test socket");
  std::array<char, 64> buffer{};
  const ssize_t n = co_await in.read_some(buffer.data(), buffer.size());
  co_return n < 0 ? std::string("error") : std::string(buffer.data(), static_cast<size_t>(n));
}

}  // namespace

TEST_CASE("a read waits for data written later, while the worker runs others", "[io]") {
  rt::Executor executor(1);
  SocketPair sockets;
  auto reader = executor.spawn("reader", read_once, sockets.fds[0]);
  // Runs on the only worker, so the reader must have suspended, not blocked.
  auto writer = executor.spawn(
      "writer", [](int fd) -> rt::Task<bool> { co_return ::write(fd, "ping", 4) == 4; },
      sockets.fds[1]);
  CHECK(writer.wait());
  CHECK(reader.wait() == "ping");
}

TEST_CASE("a read returns 0 at end of file", "[io]") {
  rt::Executor executor(1);
  SocketPair sockets;
  auto reader = executor.spawn("reader", read_once, sockets.fds[0]);
  ::shutdown(sockets.fds[1], SHUT_WR);
  CHECK(reader.wait().empty());
}
