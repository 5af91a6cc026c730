// Trace format: encode and decode throughput and bytes per event on a realistic
// synthetic mix, against zstd over the recorder's raw 32-byte records (the
// reference: what we would get by compressing the ring as it is). Our encoder and
// the reference are compared at the same zstd level, for levels 1 and 3 (3 is
// what the recorder writes), each pass creating one compression context and
// reusing it for every block, as the encoder does. Also: the CPU cost of encoding
// against a bare read of the timestamp counter, and the file size of a program
// of many short-lived threads with and without shared batch frames.
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

#include "bench_metrics.hpp"
#include "taskscope/format/reader.hpp"
#include "taskscope/format/ticks.hpp"
#include "taskscope/format/writer.hpp"

using namespace taskscope::format;
using taskscope::bench::report_metric;

namespace {

constexpr int kThreads = 8;
constexpr size_t kEventsPerBatch = 4096;

// Per-thread streams of the kinds a service records most: polls, locks, channel
// traffic and wakes, with close timestamps and recurring ids.
std::vector<std::vector<Event>> make_mix(size_t total, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<Event>> threads(kThreads);
  std::vector<int64_t> clock(kThreads, 0);
  for (size_t i = 0; i < total; i += 2) {
    const int t = static_cast<int>(rng() % kThreads);
    auto& out = threads[t];
    auto emit = [&](EventKind kind, uint64_t a, uint64_t b = 0, uint8_t op = 0, uint32_t str = 0) {
      clock[t] += 20 + static_cast<int64_t>(rng() % 400);
      Event e;
      e.ts_ns = clock[t];
      e.thread = static_cast<uint64_t>(t + 1);
      e.kind = kind;
      e.op = op;
      e.str = str;
      e.a = a;
      e.b = b;
      out.push_back(e);
    };
    const uint64_t task = 100 + rng() % 300;
    const uint64_t lock = 1 + rng() % 40;
    const uint64_t channel = 50 + rng() % 6;
    switch (rng() % 4) {
      case 0:
        emit(EventKind::kPollBegin, task);
        emit(EventKind::kPollEnd, task, 0, static_cast<uint8_t>(rng() % 2));
        break;
      case 1:
        emit(EventKind::kAcquired, lock, 0, 0, static_cast<uint32_t>(1 + lock % 7));
        emit(EventKind::kReleased, lock);
        break;
      case 2:
        emit(EventKind::kChannelSend, channel, rng() % 16, 0, 9);
        emit(EventKind::kChannelRecv, channel, rng() % 16, 0, 10);
        break;
      default:
        emit(EventKind::kWake, task);
        emit(EventKind::kWaitBegin, lock, 0, 0, static_cast<uint32_t>(1 + lock % 7));
        break;
    }
  }
  return threads;
}

struct Encoded {
  std::vector<Frame> frames;
  size_t events = 0;
  size_t bytes = 0;
};

Encoded encode(const std::vector<std::vector<Event>>& threads, int level) {
  FrameEncoder encoder(level);
  Encoded out;
  out.frames.push_back(encoder.header(TraceHeader{1, 0, "bench", 1, 0, 1.0, 0, "stream", 0, 0, ""}));
  std::vector<StringEntry> strings;
  for (uint32_t id = 1; id <= 10; ++id) strings.push_back({id, "src/file" + std::to_string(id) + ".cpp:42"});
  out.frames.push_back(encoder.strings(strings));
  size_t longest = 0;
  for (auto& t : threads) longest = std::max(longest, t.size());
  int64_t watermark = 0;
  for (size_t begin = 0; begin < longest; begin += kEventsPerBatch) {
    int64_t round_min = INT64_MAX;
    for (size_t t = 0; t < threads.size(); ++t) {
      if (begin >= threads[t].size()) continue;
      const size_t end = std::min(threads[t].size(), begin + kEventsPerBatch);
      std::span<const Event> batch(threads[t].data() + begin, end - begin);
      round_min = std::min(round_min, batch.front().ts_ns);
      encoder.batch(t + 1, batch, watermark, out.frames);
      out.events += batch.size();
    }
    watermark = round_min == INT64_MAX ? watermark : round_min;
  }
  for (auto& f : out.frames) out.bytes += f.size();
  return out;
}

// The recorder's ring record, for the reference compression.
struct RawRecord {
  uint64_t ticks;
  uint8_t kind, op;
  uint16_t flags;
  uint32_t str;
  uint64_t a, b;
};
static_assert(sizeof(RawRecord) == 32);

std::vector<RawRecord> raw_records(const std::vector<std::vector<Event>>& threads) {
  std::vector<RawRecord> raw;
  for (auto& t : threads)
    for (auto& e : t)
      raw.push_back({static_cast<uint64_t>(e.ts_ns) * 3, static_cast<uint8_t>(e.kind), e.op,
                     e.flags, e.str, e.a, e.b});
  return raw;
}

const std::vector<std::vector<Event>>& mix() {
  static const auto events = make_mix(2'000'000, 1);
  return events;
}

void BM_Encode(benchmark::State& state) {
  const int level = static_cast<int>(state.range(0));
  size_t bytes = 0, events = 0;
  for (auto _ : state) {
    Encoded encoded = encode(mix(), level);
    bytes = encoded.bytes;
    events = encoded.events;
    benchmark::DoNotOptimize(encoded.frames.data());
    // Freeing the frames is the caller's cost, not the encoder's: untimed.
    state.PauseTiming();
    encoded = Encoded();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events));
  const double per_event = static_cast<double>(bytes) / static_cast<double>(events);
  state.counters["bytes_per_event"] = per_event;
  report_metric("format.bytes_per_event.zstd" + std::to_string(level), per_event, "bytes/event");
}
BENCHMARK(BM_Encode)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond)->UseRealTime();

// Compresses the raw records in 128 KiB blocks, as a flusher draining a ring
// would, with one context for all blocks (as encode() has one FrameEncoder);
// returns the compressed bytes.
size_t compress_raw(const std::vector<RawRecord>& raw, int level, std::vector<uint8_t>& out) {
  ZSTD_CCtx* context = ZSTD_createCCtx();
  const size_t raw_size = raw.size() * sizeof(RawRecord);
  size_t compressed = 0;
  for (size_t off = 0; off < raw_size; off += 1 << 17) {
    const size_t n = std::min<size_t>(1 << 17, raw_size - off);
    compressed += ZSTD_compressCCtx(context, out.data(), out.size(),
                                    reinterpret_cast<const uint8_t*>(raw.data()) + off, n, level);
  }
  ZSTD_freeCCtx(context);
  return compressed;
}

void BM_ReferenceRawZstd(benchmark::State& state) {
  const int level = static_cast<int>(state.range(0));
  const auto raw = raw_records(mix());
  std::vector<uint8_t> out(ZSTD_compressBound(1 << 17));
  size_t compressed = 0;
  for (auto _ : state) compressed = compress_raw(raw, level, out);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * raw.size()));
  const double per_event = static_cast<double>(compressed) / static_cast<double>(raw.size());
  state.counters["bytes_per_event"] = per_event;
  report_metric("format.bytes_per_event.reference_raw_zstd" + std::to_string(level), per_event,
                "bytes/event");
}
BENCHMARK(BM_ReferenceRawZstd)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Decode(benchmark::State& state) {
  const auto encoded = encode(mix(), 3);
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("format-bench-" + std::to_string(::getpid()) + ".tscope"))
                               .string();
  {
    TraceFile file;
    file.open(path);
    for (auto& f : encoded.frames) file.write(f);
  }
  uint64_t events = 0;
  for (auto _ : state) {
    TraceReader reader(path);
    Event e;
    events = 0;
    while (reader.next(e)) ++events;
    benchmark::DoNotOptimize(e);
  }
  std::filesystem::remove(path);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events));
}
BENCHMARK(BM_Decode)->Unit(benchmark::kMillisecond)->UseRealTime();

// Thread CPU seconds of one call of `fn`: the cost on one core, whatever else
// the machine runs. Its result is destroyed after the clock has stopped, so
// freeing what a pass produced is never part of its time.
template <typename Fn>
double cpu_seconds(Fn&& fn) {
  timespec start{}, end{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
  auto result = fn();
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end);
  benchmark::DoNotOptimize(result);
  return static_cast<double>(end.tv_sec - start.tv_sec) +
         static_cast<double>(end.tv_nsec - start.tv_nsec) * 1e-9;
}

// CPU ns of one bare read of the timestamp counter (what the hot path costs at
// best), best of a few passes.
double rdtsc_ns() {
  constexpr int kReads = 10'000'000;
  double best = 1e30;
  for (int pass = 0; pass < 5; ++pass)
    best = std::min(best, cpu_seconds([] {
                      uint64_t sum = 0;
                      for (int i = 0; i < kReads; ++i) sum += read_ticks();
                      return sum;
                    }) * 1e9 / kReads);
  return best;
}

// A program whose 20,000 threads each record a few events and end: the
// flusher drains ~100 retired threads per round. Returns the bytes per event of
// the file, with the round's batches sharing frames or with a frame per thread.
double short_threads_bytes_per_event(bool shared) {
  constexpr uint64_t kThreads = 20'000, kPerRound = 100;
  std::mt19937_64 rng(5);
  FrameEncoder encoder(3);
  uint64_t bytes = encoder.header(TraceHeader{1, 0, "bench", 1, 0, 1.0, 0, "stream", 0, 0, ""}).size();
  uint64_t events = 0;
  int64_t now = 0;
  std::vector<std::vector<Event>> round;
  std::vector<Frame> frames;
  std::vector<uint64_t> counts;
  for (uint64_t first = 1; first <= kThreads; first += kPerRound) {
    const int64_t watermark = now;
    round.clear();
    for (uint64_t agent = first; agent < first + kPerRound; ++agent) {
      std::vector<Event> batch;
      auto emit = [&](EventKind kind, uint64_t a, uint64_t b = 0, uint32_t str = 0) {
        now += 200 + static_cast<int64_t>(rng() % 2000);
        batch.push_back(Event{now, agent, kind, 0, 0, str, a, b});
      };
      emit(EventKind::kThreadStart, agent, 1, 1);
      emit(EventKind::kAcquired, 7, 0, 2);
      emit(EventKind::kReleased, 7);
      emit(EventKind::kMark, 3, rng() % 100);
      emit(EventKind::kThreadEnd, agent);
      events += batch.size();
      round.push_back(std::move(batch));
    }
    frames.clear();
    if (shared) {
      std::vector<ThreadEvents> batches;
      for (const auto& batch : round) batches.push_back({batch.front().thread, batch});
      encoder.batches(batches, watermark, frames, counts);
    } else {
      for (const auto& batch : round) encoder.batch(batch.front().thread, batch, watermark, frames);
    }
    for (const auto& frame : frames) bytes += frame.size();
  }
  return static_cast<double>(bytes) / static_cast<double>(events);
}

}  // namespace

int main(int argc, char** argv) {
  // Throughput figures come from timed passes outside Google Benchmark's loop so
  // that they can be printed as metric lines with their ratio. They are CPU
  // times of this thread: the cost on one core, steady on a loaded machine.
  int rc = taskscope::bench::run_benchmarks(argc, argv);
  const double tick_ns = rdtsc_ns();
  std::printf("metric format.rdtsc_ns %.3g ns\n", tick_ns);
  const auto raw = raw_records(mix());
  std::vector<uint8_t> out(ZSTD_compressBound(1 << 17));
  const double n = static_cast<double>(raw.size());
  for (const int level : {1, 3}) {
    // Encoder and reference alternate, best of 3 each: both see the same load.
    double encode_s = 1e30, reference_s = 1e30;
    for (int i = 0; i < 3; ++i) {
      encode_s = std::min(encode_s, cpu_seconds([&] { return encode(mix(), level); }));
      reference_s = std::min(reference_s, cpu_seconds([&] { return compress_raw(raw, level, out); }));
    }
    const std::string suffix = ".zstd" + std::to_string(level);
    const double encode_ns = encode_s * 1e9 / n;
    std::printf("metric format.encode_rate%s %.4g Mevents/s\n", suffix.c_str(), n / encode_s / 1e6);
    std::printf("metric format.encode_ns_per_event%s %.3g ns\n", suffix.c_str(), encode_ns);
    std::printf("metric format.encode_vs_rdtsc%s %.3g ratio\n", suffix.c_str(), encode_ns / tick_ns);
    std::printf("metric format.reference_raw_rate%s %.4g Mevents/s\n", suffix.c_str(),
                n / reference_s / 1e6);
    std::printf("metric format.encode_vs_reference%s %.3g ratio\n", suffix.c_str(),
                reference_s / encode_s);
  }
  // Decoded: the level the recorder writes.
  const Encoded encoded = encode(mix(), 3);
  const std::string path = "/tmp/format-bench-metric-" + std::to_string(::getpid()) + ".tscope";
  {
    TraceFile file;
    file.open(path);
    for (auto& f : encoded.frames) file.write(f);
  }
  double decode_s = 1e30;
  for (int i = 0; i < 5; ++i)
    decode_s = std::min(decode_s, cpu_seconds([&] {
                          TraceReader reader(path);
                          Event e;
                          uint64_t events = 0;
                          while (reader.next(e)) ++events;
                          return events;
                        }));
  if (!std::getenv("TASKSCOPE_BENCH_KEEP")) std::filesystem::remove(path);
  std::printf("metric format.decode_rate %.4g Mevents/s\n", n / decode_s / 1e6);
  std::printf("metric format.decode_ns_per_event %.3g ns\n", decode_s * 1e9 / n);
  std::printf("metric short_threads_bytes_per_event %.3g bytes/event\n",
              short_threads_bytes_per_event(true));
  std::printf("metric short_threads_bytes_per_event.frame_per_thread %.3g bytes/event\n",
              short_threads_bytes_per_event(false));
  return rc;
}
