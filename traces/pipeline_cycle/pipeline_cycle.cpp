// A three-stage pipeline whose last stage feeds back into the first:
//
//   ingest --"raw"--> transform --"transformed"--> publish --"acks"--> ingest
//
// Every channel holds 2 items. The bug: ingest reads the acks only after it has
// sent every item. Once "acks" is full, publish blocks sending; then
// "transformed" fills and transform blocks; then "raw" fills and ingest blocks.
// Each stage waits for room that only the next one could make: a channel-full
// cycle of three.
//
// --twin: ingest hands the acks to a separate task, ack_reader, which drains
// them while ingest produces.
#include <array>
#include <utility>

#include "scenario.hpp"
#include "taskscope/rt/runtime.hpp"

using namespace std::chrono_literals;
namespace rt = taskscope::rt;
using rt::Receiver;
using rt::Sender;
using rt::Task;

constexpr int kItems = 20;
constexpr std::size_t kCapacity = 2;

static Task<int> read_acks(Receiver<int> acks) {
  int count = 0;
  while (auto ack = co_await acks.recv()) ++count;
  co_return count;
}

static Task<> ingest(Sender<int> raw, Receiver<int> acks, bool twin) {
  rt::JoinHandle<int> reader;
  if (twin) reader = rt::spawn("ack_reader", read_acks, std::move(acks));
  for (int item = 0; item < kItems; ++item) co_await raw.send(item);
  raw = Sender<int>();  // end of input: the stages after us finish
  if (twin) {
    co_await reader.join();
  } else {
    co_await read_acks(std::move(acks));  // BUG: the acks are read only now
  }
}

static Task<> transform(Receiver<int> raw, Sender<int> transformed) {
  while (auto item = co_await raw.recv()) co_await transformed.send(*item * 2);
}

static Task<> publish(Receiver<int> transformed, Sender<int> acks) {
  while (auto item = co_await transformed.recv()) co_await acks.send(*item);
}

int main(int argc, char** argv) {
  const auto args = taskscope::scenarios::start(argc, argv);
  rt::Executor executor(2);
  auto [raw_tx, raw_rx] = rt::make_channel<int>(kCapacity, "raw");
  auto [transformed_tx, transformed_rx] = rt::make_channel<int>(kCapacity, "transformed");
  auto [acks_tx, acks_rx] = rt::make_channel<int>(kCapacity, "acks");
  std::array<rt::JoinHandle<void>, 3> stages = {
      executor.spawn("ingest", ingest, std::move(raw_tx), std::move(acks_rx), args.twin),
      executor.spawn("transform", transform, std::move(raw_rx), std::move(transformed_tx)),
      executor.spawn("publish", publish, std::move(transformed_rx), std::move(acks_tx))};
  const bool done = taskscope::scenarios::wait_until(
      [&] {
        for (const auto& stage : stages)
          if (!stage.finished()) return false;
        return true;
      },
      3s);
  if (!done) taskscope::scenarios::hung();
  return taskscope::scenarios::completed();
}
