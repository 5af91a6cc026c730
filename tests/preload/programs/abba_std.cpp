// The ABBA deadlock written with std::thread and std::mutex; the threads meet
// (spinning on an atomic) after taking their first lock, so it always deadlocks.
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

namespace {

std::mutex inventory;
std::mutex orders;
std::atomic<int> holding{0};

void wait_for_both() {
  holding.fetch_add(1);
  while (holding.load() < 2) std::this_thread::yield();
}

}  // namespace

int main() {
  std::thread restock([] {
    std::lock_guard<std::mutex> first(inventory);
    wait_for_both();
    std::lock_guard<std::mutex> second(orders);
  });
  std::thread ship([] {
    std::lock_guard<std::mutex> first(orders);
    wait_for_both();
    std::lock_guard<std::mutex> second(inventory);
  });
  restock.join();
  ship.join();
  std::puts("done");
}
