// A worker computes an answer for main, which waits on a std::future for it.
// With "stuck" the worker returns without setting the promise, which main
// still holds, so the future is never ready and main waits forever.
#include <cstdio>
#include <cstring>
#include <future>
#include <thread>

int main(int argc, char** argv) {
  const bool stuck = argc > 1 && std::strcmp(argv[1], "stuck") == 0;
  std::promise<int> answer;
  std::future<int> result = answer.get_future();
  std::thread worker([&] {
    const int value = 6 * 7;
    if (!stuck) answer.set_value(value);
  });
  const int value = result.get();  // waits here
  worker.join();
  std::printf("answer %d\n", value);
  return 0;
}
