// Two threads deadlock (ABBA); the hang watchdog must dump the trace and end
// the process with exit status 124.
// Usage: hang_child OUTPUT stream|flight
#include <cstring>
#include <latch>
#include <mutex>
#include <thread>

#include "taskscope/events.hpp"
#include "taskscope/session.hpp"

namespace {

void lock_both(std::mutex& first, taskscope::ResourceId first_id, std::mutex& second,
               taskscope::ResourceId second_id, std::latch& both_hold_one, const char* name) {
  taskscope::set_thread_name(name);
  std::lock_guard<std::mutex> hold(first);
  taskscope::acquired(first_id);
  both_hold_one.arrive_and_wait();
  taskscope::wait_begin(second_id, taskscope::WaitOp::kLock);
  std::lock_guard<std::mutex> never(second);
  taskscope::wait_end(second_id, taskscope::WaitOutcome::kAcquired);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  taskscope::Config config;
  config.output = argv[1];
  config.mode =
      std::strcmp(argv[2], "flight") == 0 ? taskscope::Mode::kFlight : taskscope::Mode::kStream;
  config.hang_timeout_ms = 300;
  config.abort_on_hang = true;
  config.flush_interval_ms = 20;
  if (!taskscope::start(config)) return 3;

  std::mutex a, b;
  const taskscope::ResourceId a_id = taskscope::new_resource_id();
  const taskscope::ResourceId b_id = taskscope::new_resource_id();
  taskscope::resource_created(a_id, taskscope::ResourceKind::kMutex, "account_a");
  taskscope::resource_created(b_id, taskscope::ResourceKind::kMutex, "account_b");
  std::latch both_hold_one(2);
  std::thread t1([&] { lock_both(a, a_id, b, b_id, both_hold_one, "transfer-1"); });
  std::thread t2([&] { lock_both(b, b_id, a, a_id, both_hold_one, "transfer-2"); });
  t1.join();
  t2.join();
  return 0;  // never reached
}
