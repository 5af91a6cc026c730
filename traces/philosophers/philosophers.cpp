// Dining philosophers on async mutexes: five tasks, five forks, each
// philosopher takes the fork on the left, then the one on the right. When all
// five hold their left fork, each waits for the next one's: a cycle of five.
//
// --twin: the classic fix, a global order: each philosopher takes the
// lower-numbered of its two forks first, which breaks the cycle.
#include <array>
#include <string>
#include <utility>

#include "scenario.hpp"
#include "taskscope/rt/runtime.hpp"

using namespace std::chrono_literals;
namespace rt = taskscope::rt;

constexpr int kSeats = 5;
constexpr int kMeals = 3;

static rt::Task<> dine(rt::Mutex* forks, int seat, bool ordered) {
  int left = seat;
  int right = (seat + 1) % kSeats;
  if (ordered && right < left) std::swap(left, right);
  for (int meal = 0; meal < kMeals; ++meal) {
    auto first = co_await forks[left].lock();
    co_await rt::sleep_for(5ms);  // reaching for the other fork
    auto second = co_await forks[right].lock();
    co_await rt::sleep_for(1ms);  // eating
  }
}

int main(int argc, char** argv) {
  const auto args = taskscope::scenarios::start(argc, argv);
  std::array<rt::Mutex, kSeats> forks{rt::Mutex("fork 0"), rt::Mutex("fork 1"), rt::Mutex("fork 2"),
                                      rt::Mutex("fork 3"), rt::Mutex("fork 4")};
  rt::Executor executor(2);
  std::array<rt::JoinHandle<void>, kSeats> philosophers;
  for (int seat = 0; seat < kSeats; ++seat)
    philosophers[seat] = executor.spawn("philosopher", dine, forks.data(), seat, args.twin);
  const bool done = taskscope::scenarios::wait_until(
      [&] {
        for (const auto& p : philosophers)
          if (!p.finished()) return false;
        return true;
      },
      3s);
  if (!done) taskscope::scenarios::hung();
  return taskscope::scenarios::completed();
}
