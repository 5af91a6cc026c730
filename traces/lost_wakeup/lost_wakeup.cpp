// A lost wakeup in async code: a hand-written awaitable that returns pending
// without keeping a waker.
//
// config_loader sets a one-shot flag, ConfigReady, after loading the config.
// The request task awaits the flag through a poll function, which checks the
// flag and returns "not yet", but never registers the task's Waker with the
// flag. When config_loader sets the flag there is nobody to wake: request stays
// pending forever, with no live waker and no wake on the way. No thread or task
// is blocked in a wait, so the hang watchdog cannot see it: the program's own
// deadline dumps the trace.
//
// --twin: the poll function stores the Waker in the flag before returning
// pending (under the flag's lock, so a set() in between cannot be missed).
#include <mutex>

#include "scenario.hpp"
#include "taskscope/rt/runtime.hpp"

using namespace std::chrono_literals;
namespace rt = taskscope::rt;

// A one-shot event with at most one waiting task. Invariant: once ready_ is
// set, waker_ is empty (set() consumes it).
class ConfigReady {
 public:
  ConfigReady() : id_(taskscope::new_resource_id()) {
    taskscope::resource_created(id_, taskscope::ResourceKind::kUnknown, "config ready");
  }

  void set() {
    rt::Waker waiter;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ready_ = true;
      waiter = std::move(waker_);
    }
    waiter.wake();
  }

  // The buggy poll function: returns pending and lets the flag forget the task.
  bool poll_forgetting_waker() {
    std::lock_guard<std::mutex> lock(mutex_);
    return ready_;
  }

  // The correct one.
  bool poll_keeping_waker() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ready_) return true;
    waker_ = rt::Waker::for_current_task(id_);
    return false;
  }

 private:
  std::mutex mutex_;
  bool ready_ = false;
  rt::Waker waker_;
  const taskscope::ResourceId id_;
};

static rt::Task<> load_config(ConfigReady* ready) {
  co_await rt::sleep_for(20ms);  // reading the config file
  ready->set();
}

static rt::Task<> serve_request(ConfigReady* ready, bool twin) {
  if (twin) {
    co_await rt::poll_fn([ready] { return ready->poll_keeping_waker(); });
  } else {
    co_await rt::poll_fn([ready] { return ready->poll_forgetting_waker(); });
  }
}

int main(int argc, char** argv) {
  const auto args = taskscope::scenarios::start(argc, argv);
  ConfigReady ready;
  rt::Executor executor(2);
  auto request = executor.spawn("request", serve_request, &ready, args.twin);
  auto loader = executor.spawn("config_loader", load_config, &ready);
  const bool done = taskscope::scenarios::wait_until(
      [&] { return request.finished() && loader.finished(); }, 600ms);
  if (!done) taskscope::scenarios::hung();
  return taskscope::scenarios::completed();
}
