// A lost wakeup on a condition variable, between plain threads.
//
// loader sets `ready` and notifies "config ready" once. consumer starts a
// little later and waits on the condition variable without checking `ready`
// first: the notification happened before anyone waited, so it is lost, and
// consumer waits forever. The recorder's kNotify event says nobody was waiting.
//
// --twin: consumer waits with the predicate (`cv.wait(lock, [&] { return ready; })`),
// which returns at once because the flag is already set.
#include <atomic>
#include <mutex>
#include <thread>

#include "scenario.hpp"
#include "taskscope/sync.hpp"
#include "taskscope/thread.hpp"

using namespace std::chrono_literals;

struct Config {
  taskscope::mutex mutex{"config mutex"};
  taskscope::condition_variable ready_cv{"config ready"};
  bool ready = false;
};

static void load(Config* config) {
  std::lock_guard<taskscope::mutex> lock(config->mutex);
  config->ready = true;
  config->ready_cv.notify_one();
}

static void consume(Config* config, bool twin, std::atomic<bool>* done) {
  std::this_thread::sleep_for(20ms);  // started late
  std::unique_lock<taskscope::mutex> lock(config->mutex);
  if (twin) {
    config->ready_cv.wait(lock, [config] { return config->ready; });
  } else {
    config->ready_cv.wait(lock);  // BUG: the notification may already have happened
  }
  done->store(true);
}

int main(int argc, char** argv) {
  const auto args = taskscope::scenarios::start(argc, argv);
  Config config;
  std::atomic<bool> consumed{false};
  taskscope::thread loader("loader", load, &config);
  taskscope::thread consumer("consumer", consume, &config, args.twin, &consumed);
  loader.join();
  if (!taskscope::scenarios::wait_until([&] { return consumed.load(); }, 3s))
    taskscope::scenarios::hung();
  consumer.join();
  return taskscope::scenarios::completed();
}
