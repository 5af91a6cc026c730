// A correct producer -> transformer -> consumer pipeline over bounded channels:
// every stage closes its sender when done, so the next stage's receive loop ends.
#include <cstdint>

#include "scenario.hpp"

int main(int argc, char** argv) {
  scenario::start(argc, argv);
  auto [raw_tx, raw_rx] = taskscope::make_channel<int>(8, "raw");
  auto [cooked_tx, cooked_rx] = taskscope::make_channel<int>(8, "cooked");
  taskscope::mutex total_lock("total");
  int64_t total = 0;
  taskscope::thread producer(
      "producer",
      [](taskscope::Sender<int> out) {
        for (int i = 0; i < 2000; ++i) out.send(i);
      },
      std::move(raw_tx));
  taskscope::thread transformer(
      "transformer",
      [](taskscope::Receiver<int> in, taskscope::Sender<int> out) {
        while (auto item = in.recv()) out.send(*item * 2);
      },
      std::move(raw_rx), std::move(cooked_tx));
  taskscope::thread consumer(
      "consumer",
      [&](taskscope::Receiver<int> in) {
        while (auto item = in.recv()) {
          std::lock_guard<taskscope::mutex> hold(total_lock);
          total += *item;
        }
      },
      std::move(cooked_rx));
  producer.join();
  transformer.join();
  consumer.join();
  taskscope::stop();
  return total == 2 * (1999 * 2000 / 2) ? 0 : 4;
}
