// A task waits for I/O that never arrives: stalled, not deadlocked.
//
// handler spawns read_upstream and joins it; read_upstream awaits the reply on
// a socket whose peer keeps the connection open but never writes. Nothing in
// the program can be blamed: the outside world could still answer, so
// taskscope must report a stall on I/O (with the fd), never a deadlock, even
// though handler waits on read_upstream. (The hang watchdog dumps the trace
// because handler's join has no deadline; it ignores the wait on I/O itself.)
//
// --twin: the peer answers after 20 ms.
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <string>
#include <thread>

#include "scenario.hpp"
#include "taskscope/rt/runtime.hpp"

using namespace std::chrono_literals;
namespace rt = taskscope::rt;

static rt::Task<std::string> read_upstream(int fd) {
  rt::AsyncFd upstream(fd, "upstream socket");
  std::array<char, 128> reply{};
  const ssize_t n = co_await upstream.read_some(reply.data(), reply.size());
  co_return std::string(reply.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

static rt::Task<> handle(int fd) {
  auto reader = rt::spawn("read_upstream", read_upstream, fd);
  const std::string reply = co_await reader.join();
}

int main(int argc, char** argv) {
  const auto args = taskscope::scenarios::start(argc, argv);
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sockets) != 0) return 2;
  std::thread peer;  // the outside world: not recorded
  if (args.twin) {
    peer = std::thread([fd = sockets[1]] {
      std::this_thread::sleep_for(20ms);
      [[maybe_unused]] ssize_t n = ::write(fd, "pong", 4);
    });
  }
  rt::Executor executor(2);
  auto handler = executor.spawn("handler", handle, sockets[0]);
  if (!taskscope::scenarios::wait_until([&] { return handler.finished(); }, 600ms))
    taskscope::scenarios::hung();
  peer.join();
  return taskscope::scenarios::completed();
}
