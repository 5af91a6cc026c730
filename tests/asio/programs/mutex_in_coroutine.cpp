// A coroutine on the io_context thread takes a std::mutex that another thread
// holds: the lock blocks the io_context's thread inside the coroutine's poll,
// blocking in async. The holder releases it only once glibc's mutex word says
// a thread waits on it, so that the lock is contended on every run.
// Nothing here refers to taskscope: the build links taskscope::asio.
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

namespace asio = boost::asio;

std::mutex accounts;
std::atomic<bool> holding{false};

// glibc marks a locked mutex with waiters by 2 in its lock word.
bool has_waiter(std::mutex& mutex) {
  return __atomic_load_n(&mutex.native_handle()->__data.__lock, __ATOMIC_ACQUIRE) == 2;
}

asio::awaitable<void> settle() {
  asio::steady_timer tick(co_await asio::this_coro::executor);
  do {
    tick.expires_after(std::chrono::milliseconds(1));
    co_await tick.async_wait(asio::use_awaitable);
  } while (!holding.load());
  std::lock_guard<std::mutex> guard(accounts);
  std::puts("settled");
}

int main() {
  std::thread auditor([] {
    std::lock_guard<std::mutex> guard(accounts);
    holding.store(true);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!has_waiter(accounts) && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  asio::io_context io;
  asio::co_spawn(io, settle(), asio::detached);
  io.run();
  auditor.join();
}
