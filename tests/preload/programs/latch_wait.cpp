// Workers compute a share each and count a std::latch down; main waits on the
// latch for all of them. With "stuck" the latch expects one arrival more than
// there are workers, so main waits forever once they are gone.
#include <cstdio>
#include <cstring>
#include <latch>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  const bool stuck = argc > 1 && std::strcmp(argv[1], "stuck") == 0;
  constexpr int kWorkers = 3;
  std::latch all_done(stuck ? kWorkers + 1 : kWorkers);
  int shares[kWorkers] = {};
  std::vector<std::thread> workers;
  for (int i = 0; i < kWorkers; ++i)
    workers.emplace_back([&, i] {
      shares[i] = (i + 1) * 10;
      all_done.count_down();
    });
  all_done.wait();  // waits here
  int total = 0;
  for (int share : shares) total += share;
  for (std::thread& worker : workers) worker.join();
  std::printf("total %d\n", total);
  return 0;
}
