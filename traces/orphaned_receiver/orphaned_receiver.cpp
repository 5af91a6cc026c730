// A receiver whose only sender is held by a task stuck elsewhere.
//
// collector receives from the channel "events"; its only sender was handed to
// producer. Before sending anything, producer locks the async mutex "config",
// which config_loader locked and never released: it stored the guard in a
// long-lived object and ended. producer waits for a lock whose owner is gone,
// and collector waits for events that nobody left alive can send. Neither is
// in a cycle; both are blocked forever.
//
// --twin: config_loader releases "config" when it is done.
#include <optional>

#include "scenario.hpp"
#include "taskscope/rt/runtime.hpp"

using namespace std::chrono_literals;
namespace rt = taskscope::rt;

constexpr int kEvents = 5;

struct Config {
  rt::Mutex lock{"config"};
  std::optional<rt::Mutex::Guard> leaked;  // the bug's hiding place
  int version = 0;
};

static rt::Task<> load_config(Config* config, bool twin) {
  auto guard = co_await config->lock.lock();
  config->version = 2;
  if (!twin) config->leaked.emplace(std::move(guard));  // BUG: keeps "config" locked
}

static rt::Task<> produce(Config* config, rt::Sender<int> events) {
  int version = 0;
  {
    auto guard = co_await config->lock.lock();
    version = config->version;
  }
  for (int i = 0; i < kEvents; ++i) co_await events.send(version * 100 + i);
}

static rt::Task<int> collect(rt::Receiver<int> events) {
  int count = 0;
  while (auto event = co_await events.recv()) ++count;
  co_return count;
}

int main(int argc, char** argv) {
  const auto args = taskscope::scenarios::start(argc, argv);
  Config config;
  rt::Executor executor(2);
  executor.spawn("config_loader", load_config, &config, args.twin).wait();
  auto [events_tx, events_rx] = rt::make_channel<int>(16, "events");
  auto producer = executor.spawn("producer", produce, &config, std::move(events_tx));
  auto collector = executor.spawn("collector", collect, std::move(events_rx));
  if (!taskscope::scenarios::wait_until([&] { return collector.finished(); }, 3s))
    taskscope::scenarios::hung();
  producer.wait();
  return taskscope::scenarios::completed();
}
