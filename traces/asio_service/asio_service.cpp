// The service scenario on plain Boost.Asio: the same hang as traces/service,
// in a program whose only taskscope-specific part is its build linking
// taskscope::asio (README.md, "Boost.Asio").
//
// A request handler spawns the aggregator for "GET /report" and awaits it. The
// aggregator checks the first upstream (one fetch, one page received), then
// fans out one fetch coroutine per remaining upstream; each sends its page on
// the bounded experimental::channel `results` (room for 2).
//
// The bug: the aggregator awaits every fetch (a parallel group) *before* it
// drains "results". With more fetches than room, the last fetches wait for room
// that only the aggregator can make, and it waits for them: a channel-full
// cycle through a join, and the handler is stuck with them.
//
// --twin: the aggregator drains while the fetches run and awaits them after.
//
// Every operation's token is `use_awaitable_t<>{}`, not the `use_awaitable`
// constant: Asio's handler tracking then carries the source location of each
// co_await, which names the coroutines and their spawn sites in the trace
// itself, so the committed trace reads the same without this binary.
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <cstdio>
#include <cstring>
#include <vector>

namespace asio = boost::asio;
using Results = asio::experimental::channel<void(boost::system::error_code, int)>;
using Await = asio::use_awaitable_t<>;

constexpr int kUpstreams = 4;
constexpr std::size_t kRoom = 2;

asio::awaitable<void> fetch(Results& results, int upstream) {
  co_await results.async_send(boost::system::error_code{}, upstream * 10, Await{});
}

asio::awaitable<int> aggregator(bool twin) {
  auto executor = co_await asio::this_coro::executor;
  Results results(executor, kRoom);
  co_await asio::co_spawn(executor, fetch(results, 0), Await{});
  int total = co_await results.async_receive(Await{});
  std::vector<decltype(asio::co_spawn(executor, fetch(results, 1), asio::deferred))> fetches;
  for (int upstream = 1; upstream <= kUpstreams; ++upstream)
    fetches.push_back(asio::co_spawn(executor, fetch(results, upstream), asio::deferred));
  if (twin) {
    asio::experimental::make_parallel_group(std::move(fetches))
        .async_wait(asio::experimental::wait_for_all(), [](auto&&...) {});
    for (int page = 1; page <= kUpstreams; ++page)
      total += co_await results.async_receive(Await{});
  } else {
    co_await asio::experimental::make_parallel_group(std::move(fetches))
        .async_wait(asio::experimental::wait_for_all(), Await{});
    for (int page = 1; page <= kUpstreams; ++page)
      total += co_await results.async_receive(Await{});
  }
  co_return total;
}

asio::awaitable<void> handler(bool twin) {
  auto executor = co_await asio::this_coro::executor;
  const int total = co_await asio::co_spawn(executor, aggregator(twin), Await{});
  std::printf("GET /report: %d\n", total);
}

int main(int argc, char** argv) {
  const bool twin = argc > 1 && std::strcmp(argv[1], "--twin") == 0;
  asio::io_context io;
  asio::co_spawn(io, handler(twin), asio::detached);
  io.run();
}
