// Barbara's service on plain Boost.Asio: the aggregator takes one result to
// check the upstream, fans out fetch coroutines that send into a bounded
// experimental::channel, and waits for all of them (a parallel group) before
// draining it. With more fetches than room, the last fetches wait for room
// that only the aggregator can make, and it waits for them: it hangs.
// `--twin` drains while the fetches run and waits for them only then.
// Nothing here refers to taskscope: the build links taskscope::asio. The
// awaits that spawn fetches use a `use_awaitable_t<>{}` token, which carries
// its source location to Asio's handler tracking: the spawn sites.
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <cstdio>
#include <cstring>
#include <vector>

namespace asio = boost::asio;
using Results = asio::experimental::channel<void(boost::system::error_code, int)>;

constexpr int kFetches = 4;
constexpr std::size_t kRoom = 2;

asio::awaitable<void> fetch(Results& results, int page) {
  co_await results.async_send(boost::system::error_code{}, page, asio::use_awaitable);
}

asio::awaitable<void> aggregate(bool twin) {
  auto executor = co_await asio::this_coro::executor;
  Results results(executor, kRoom);
  co_await asio::co_spawn(executor, fetch(results, 0), asio::use_awaitable_t<>{});
  int total = co_await results.async_receive(asio::use_awaitable);
  std::vector<decltype(asio::co_spawn(executor, fetch(results, 1), asio::deferred))> fetches;
  for (int page = 1; page <= kFetches; ++page)
    fetches.push_back(asio::co_spawn(executor, fetch(results, page), asio::deferred));
  if (twin) {
    asio::experimental::make_parallel_group(std::move(fetches))
        .async_wait(asio::experimental::wait_for_all(), [](auto&&...) {});
    for (int page = 1; page <= kFetches; ++page)
      total += co_await results.async_receive(asio::use_awaitable);
  } else {
    co_await asio::experimental::make_parallel_group(std::move(fetches))
        .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable_t<>{});
    for (int page = 1; page <= kFetches; ++page)
      total += co_await results.async_receive(asio::use_awaitable);
  }
  std::printf("total %d\n", total);
}

int main(int argc, char** argv) {
  const bool twin = argc > 1 && std::strcmp(argv[1], "--twin") == 0;
  asio::io_context io;
  asio::co_spawn(io, aggregate(twin), asio::detached);
  io.run();
}
