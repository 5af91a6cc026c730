// A consumer coroutine waits for a value from a producer coroutine that
// returns without sending it (an early return on an error path): the consumer
// waits on the channel forever and the io_context never runs out of work.
// `--twin` sends the value. `--late` sends it after a slow upstream (a 3 s
// timer): the consumer waits on a channel no sender has used yet, which proves
// nothing, since the producer is alive and waiting on the outside world.
// Nothing here refers to taskscope: the build links taskscope::asio.
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace asio = boost::asio;
using Replies = asio::experimental::channel<void(boost::system::error_code, int)>;

asio::awaitable<void> produce(Replies& replies, bool send) {
  if (!send) co_return;  // the bug: nothing sent, and nobody closes the channel
  co_await replies.async_send(boost::system::error_code{}, 42, asio::use_awaitable);
}

asio::awaitable<void> produce_late(Replies& replies) {
  asio::steady_timer upstream(co_await asio::this_coro::executor, std::chrono::seconds(3));
  co_await upstream.async_wait(asio::use_awaitable);
  co_await replies.async_send(boost::system::error_code{}, 42, asio::use_awaitable);
}

asio::awaitable<void> consume(Replies& replies) {
  const int reply = co_await replies.async_receive(asio::use_awaitable);
  std::printf("reply %d\n", reply);
}

int main(int argc, char** argv) {
  const bool twin = argc > 1 && std::strcmp(argv[1], "--twin") == 0;
  const bool late = argc > 1 && std::strcmp(argv[1], "--late") == 0;
  asio::io_context io;
  Replies replies(io, 1);
  asio::co_spawn(io, consume(replies), asio::detached);
  if (late)
    asio::co_spawn(io, produce_late(replies), asio::detached);
  else
    asio::co_spawn(io, produce(replies, twin), asio::detached);
  io.run();
}
