// Many threads using every instrumented primitive at once, with recording on
// and off. Built to run under ThreadSanitizer (-DTASKSCOPE_SANITIZE=thread):
// the assertions check the results and that the recorded trace is internally
// consistent; TSan checks the primitives and the recorder for data races.
#include <atomic>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "primitives_trace.hpp"
#include "taskscope/channel.hpp"
#include "taskscope/sync.hpp"
#include "taskscope/thread.hpp"

using taskscope::format::Event;
using taskscope::format::EventKind;

namespace {

constexpr int kProducers = 4;
constexpr int kWorkers = 3;
constexpr int kPerProducer = 1500;
constexpr int kTotal = kProducers * kPerProducer;
constexpr std::size_t kStageOneCapacity = 4;
constexpr std::size_t kStageTwoCapacity = 2;

struct PipelineResult {
  long long sum = 0;
  std::atomic<int> failed_sends{0};  // Catch assertions are not thread-safe
  int delivered = 0;
  int config_writes = 0;
  uint64_t stage_one = 0, stage_two = 0, totals = 0, config = 0, slots = 0, done = 0;
};

// producers -> stage one (bounded) -> workers (mutex, rwlock, semaphore) ->
// stage two (bounded) -> collector -> condition variable -> main thread.
void run_pipeline(PipelineResult& result) {
  auto [to_workers, from_producers] = taskscope::make_channel<int>(kStageOneCapacity, "stage one");
  auto [to_collector, from_workers] = taskscope::make_channel<int>(kStageTwoCapacity, "stage two");
  taskscope::mutex totals("totals");
  taskscope::shared_mutex config("config");
  taskscope::counting_semaphore slots(2, "slots");
  taskscope::mutex done_lock("done lock");
  taskscope::condition_variable done("done");
  result.stage_one = to_workers.channel_id();
  result.stage_two = to_collector.channel_id();
  result.totals = totals.resource_id();
  result.config = config.resource_id();
  result.slots = slots.resource_id();
  result.done = done.resource_id();
  int multiplier = 1;  // guarded by config

  std::vector<taskscope::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back(
        "producer",
        [p, &result](taskscope::Sender<int> out) {
          for (int i = 0; i < kPerProducer; ++i) {
            const int value = p * kPerProducer + i;
            // Mix blocking and non-blocking sends.
            if (i % 3 == 0 && out.try_send(value)) continue;
            if (!out.send(value)) ++result.failed_sends;
          }
        },
        to_workers);
  }
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back(
        "worker",
        [&](taskscope::Receiver<int> in, taskscope::Sender<int> out) {
          while (auto item = in.recv()) {
            int factor = 0;
            {
              std::shared_lock<taskscope::shared_mutex> read(config);
              factor = multiplier;
            }
            if (*item % 64 == 0) {
              std::lock_guard<taskscope::shared_mutex> write(config);
              multiplier = 1;
              ++result.config_writes;
            }
            slots.acquire();
            {
              std::unique_lock<taskscope::mutex> lock(totals, std::try_to_lock);
              if (!lock.owns_lock()) lock.lock();
              result.sum += static_cast<long long>(*item) * factor;
            }
            slots.release();
            if (!out.send(*item)) ++result.failed_sends;
          }
        },
        from_producers, to_collector);
  }
  threads.emplace_back(
      "collector",
      [&](taskscope::Receiver<int> in) {
        while (in.recv()) {
          std::lock_guard<taskscope::mutex> guard(done_lock);
          ++result.delivered;
          if (result.delivered % 100 == 0 || result.delivered == kTotal) done.notify_all();
        }
      },
      std::move(from_workers));
  // Only the threads hold endpoints now, so the pipeline drains and closes.
  { auto drop = std::move(to_workers); }
  { auto drop = std::move(from_producers); }
  { auto drop = std::move(to_collector); }
  {
    std::unique_lock<taskscope::mutex> lock(done_lock);
    done.wait(lock, [&] { return result.delivered == kTotal; });
  }
  for (auto& t : threads) t.join();
}

void check_results(const PipelineResult& result) {
  constexpr long long kExpectedSum = static_cast<long long>(kTotal) * (kTotal - 1) / 2;
  CHECK(result.failed_sends == 0);
  CHECK(result.sum == kExpectedSum);
  CHECK(result.delivered == kTotal);
  CHECK(result.config_writes == (kTotal + 63) / 64);
}

}  // namespace

TEST_CASE("stress: every primitive from many threads, recording off", "[stress]") {
  REQUIRE_FALSE(taskscope::recording());
  PipelineResult result;
  run_pipeline(result);
  check_results(result);
}

TEST_CASE("stress: every primitive from many threads, recorded trace is consistent", "[stress]") {
  PipelineResult result;
  uint64_t main_agent = 0;
  const auto rec = taskscope::primitives_test::record([&] {
    main_agent = taskscope::current_agent();
    run_pipeline(result);
  });
  check_results(result);
  REQUIRE(rec.dropped == 0);

  // Every item crossed each channel once, depths stayed within capacity.
  int over_capacity = 0;
  const auto channel_ops = [&](uint64_t ch, EventKind kind, std::size_t capacity) {
    int count = 0;
    for (const Event& e : rec.about({ch})) {
      if (e.kind != kind) continue;
      ++count;
      if (e.b > capacity) ++over_capacity;
    }
    return count;
  };
  CHECK(channel_ops(result.stage_one, EventKind::kChannelSend, kStageOneCapacity) == kTotal);
  CHECK(channel_ops(result.stage_one, EventKind::kChannelRecv, kStageOneCapacity) == kTotal);
  CHECK(channel_ops(result.stage_two, EventKind::kChannelSend, kStageTwoCapacity) == kTotal);
  CHECK(channel_ops(result.stage_two, EventKind::kChannelRecv, kStageTwoCapacity) == kTotal);
  CHECK(over_capacity == 0);

  // Per thread and resource: a wait begins only when none is open, ends only
  // when one is, no acquisition happens inside a wait, and (except for
  // semaphore units, which move between threads) acquisitions and releases
  // balance.
  struct PerThread {
    int open_waits = 0;
    long held = 0;
  };
  std::map<std::pair<uint64_t, uint64_t>, PerThread> state;
  int misplaced = 0;
  for (const uint64_t id : {result.totals, result.config, result.slots, result.done,
                            result.stage_one, result.stage_two}) {
    for (const Event& e : rec.about({id})) {
      auto& s = state[{e.thread, id}];
      switch (e.kind) {
        case EventKind::kWaitBegin:
          misplaced += s.open_waits != 0;
          ++s.open_waits;
          break;
        case EventKind::kWaitEnd:
          misplaced += s.open_waits != 1;
          --s.open_waits;
          break;
        case EventKind::kAcquired:
          misplaced += s.open_waits != 0;
          ++s.held;
          break;
        case EventKind::kReleased:
          --s.held;
          break;
        default:
          break;
      }
    }
  }
  CHECK(misplaced == 0);
  int unbalanced = 0;
  for (const auto& [key, s] : state) {
    unbalanced += s.open_waits != 0 || (key.second != result.slots && s.held != 0);
  }
  CHECK(unbalanced == 0);
  // Semaphore: as many units acquired as posted.
  int acquired_units = 0, posted_units = 0;
  for (const Event& e : rec.about({result.slots})) {
    if (e.kind == EventKind::kAcquired) acquired_units += static_cast<int>(e.b);
    if (e.kind == EventKind::kSemPost) posted_units += static_cast<int>(e.b);
  }
  CHECK(acquired_units == kTotal);
  CHECK(posted_units == kTotal);
  // Every pipeline thread started once, named, with the main thread as parent.
  int started = 0;
  for (const Event& e : rec.of_kind(EventKind::kThreadStart)) {
    const auto name = rec.text(e.str);
    if (name != "producer" && name != "worker" && name != "collector") continue;
    ++started;
    CHECK(e.b == main_agent);
  }
  CHECK(started == kProducers + kWorkers + 1);
}
