// Five dining philosophers each take their left fork, then their right: all five
// hold one fork and wait for the next.
#include <latch>
#include <memory>
#include <string>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  scenario::start(argc, argv);
  constexpr int kSeats = 5;
  std::vector<std::unique_ptr<taskscope::mutex>> forks;
  for (int i = 0; i < kSeats; ++i)
    forks.push_back(std::make_unique<taskscope::mutex>(("fork-" + std::to_string(i)).c_str()));
  std::latch all_hold_left(kSeats);
  scenario::Blocker seats[kSeats];
  std::vector<taskscope::thread> philosophers;
  for (int i = 0; i < kSeats; ++i) {
    philosophers.emplace_back("philosopher-" + std::to_string(i), [&, i] {
      std::lock_guard<taskscope::mutex> left(*forks[i]);
      all_hold_left.arrive_and_wait();
      seats[i].arrive();
      std::lock_guard<taskscope::mutex> right(*forks[(i + 1) % kSeats]);  // never returns
    });
  }
  scenario::stop_when_blocked({&seats[0], &seats[1], &seats[2], &seats[3], &seats[4]});
}
