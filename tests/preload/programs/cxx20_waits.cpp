// A correct program on the C++20 waits that libstdc++ builds on futex calls:
// std::barrier phases, a std::counting_semaphore between a producer and a
// consumer, std::atomic::wait/notify_one, and std::call_once with a slow
// initializer that other threads wait for.
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

namespace {

constexpr int kThreads = 3;
constexpr int kPhases = 4;
constexpr int kItems = 50;

std::once_flag config_once;
int config = 0;

void load_config() {
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  config = 5;
}

}  // namespace

int main() {
  // call_once: every thread needs the configuration; one loads it.
  std::vector<std::thread> readers;
  std::atomic<int> seen{0};
  for (int i = 0; i < kThreads; ++i)
    readers.emplace_back([&] {
      std::call_once(config_once, load_config);  // waits here
      seen += config;
    });
  for (std::thread& reader : readers) reader.join();

  // barrier: threads add to a sum in phases.
  std::atomic<int> sum{0};
  std::barrier phase_end(kThreads);
  std::vector<std::thread> workers;
  for (int i = 0; i < kThreads; ++i)
    workers.emplace_back([&, i] {
      for (int phase = 0; phase < kPhases; ++phase) {
        if (i == phase % kThreads) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        sum += phase;
        phase_end.arrive_and_wait();  // waits here
      }
    });
  for (std::thread& worker : workers) worker.join();

  // counting_semaphore: the consumer takes items as the producer posts them.
  std::counting_semaphore<kItems> items(0);
  int consumed = 0;
  std::thread consumer([&] {
    for (int i = 0; i < kItems; ++i) {
      items.acquire();  // waits here
      ++consumed;
    }
  });
  for (int i = 0; i < kItems; ++i) {
    if (i % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    items.release();
  }
  consumer.join();

  // atomic wait: main waits for the flag a helper sets.
  std::atomic<int> ready{0};
  std::thread helper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ready.store(1);
    ready.notify_one();
  });
  ready.wait(0);  // waits here
  helper.join();

  std::printf("config %d sum %d consumed %d ready %d\n", seen.load(), sum.load(), consumed,
              ready.load());
  return 0;
}
