// Damaged and foreign files: detected, reported with a reason, never a crash, and
// the sound frames still read.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>
#include <new>
#include <set>

#include "trace_builder.hpp"

using namespace taskscope::format;
using namespace taskscope::format::testing;

// Allocation watch for this test binary: the replaced operator new below notes
// the largest request made while read_watched() reads a trace. Reading the small
// traces here needs far less than kLargeAllocation (the reader's largest fixed
// buffer is its 64 KiB resync window); a request that large while watching
// means a length from the file was trusted, and is refused so that the test
// fails at once instead of zero-filling gigabytes.
namespace {

constexpr size_t kLargeAllocation = 1 << 20;
std::atomic<bool> g_watching{false};
std::atomic<size_t> g_largest{0};

void* allocate(size_t size) noexcept {
  if (g_watching.load(std::memory_order_relaxed)) {
    size_t largest = g_largest.load(std::memory_order_relaxed);
    while (size > largest && !g_largest.compare_exchange_weak(largest, size)) {
    }
    if (size >= kLargeAllocation) return nullptr;
  }
  return std::malloc(size == 0 ? 1 : size);
}

void* allocate_or_throw(size_t size) {
  if (void* p = allocate(size)) return p;
  throw std::bad_alloc();
}

// Reads a whole trace while watching: `largest` is the largest allocation
// requested, and the result is empty when a request was refused.
std::unique_ptr<ReadBack> read_watched(const std::string& path, size_t& largest) {
  std::unique_ptr<ReadBack> back;
  g_largest.store(0);
  g_watching.store(true);
  try {
    back = std::make_unique<ReadBack>(path);
  } catch (const std::bad_alloc&) {
  }
  g_watching.store(false);
  largest = g_largest.load();
  return back;
}

}  // namespace

// The plain (not over-aligned) forms, all on malloc and free, so that every
// pointer is freed by the family that allocated it.
void* operator new(size_t size) { return allocate_or_throw(size); }
void* operator new[](size_t size) { return allocate_or_throw(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

TraceBytes three_batches() {
  TraceBytes t;
  t.header();
  t.strings({{1, "main"}});
  for (uint64_t f = 0; f < 3; ++f) {
    std::vector<Event> batch;
    for (uint64_t i = 0; i < 50; ++i)
      batch.push_back(make_event(static_cast<int64_t>(f * 1000 + i * 10), 1, EventKind::kMark,
                                 f * 100 + i));
    t.batch(1, batch, static_cast<int64_t>(f * 1000));
  }
  t.footer({150, 5, 0, 3000});
  return t;
}

// Rewrites the payload length of the frame preamble at `at`, and its check
// word, so that the preamble stays sound and only the length lies.
void set_payload_size(std::vector<uint8_t>& bytes, size_t at, uint32_t size) {
  for (int i = 0; i < 4; ++i) bytes[at + 8 + i] = static_cast<uint8_t>(size >> (8 * i));
  uint32_t hash = 2166136261u;
  for (int i = 0; i < 16; ++i) hash = (hash ^ bytes[at + i]) * 16777619u;
  for (int i = 0; i < 4; ++i) bytes[at + 16 + i] = static_cast<uint8_t>(hash >> (8 * i));
}

std::string error_of(const std::string& path) {
  try {
    TraceReader reader(path);
  } catch (const TraceError& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("random byte flips are detected and the other frames still read", "[damage]") {
  auto t = three_batches();
  std::set<uint64_t> written;
  for (uint64_t f = 0; f < 3; ++f)
    for (uint64_t i = 0; i < 50; ++i) written.insert(f * 100 + i);
  const size_t header_end = t.frame_ends[0];
  std::mt19937_64 rng(1234);
  TempPath path("flip");
  int detected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    auto bytes = t.bytes;
    const size_t offset = header_end + rng() % (bytes.size() - header_end);
    bytes[offset] ^= static_cast<uint8_t>(1 + rng() % 255);
    write_bytes(path.str(), bytes);
    ReadBack back(path.str());
    INFO("flip at " << offset);
    for (auto& e : back.events) CHECK(written.count(e.a) == 1);  // nothing invented
    // One flipped byte costs at most the frame it is in (50 events).
    CHECK(back.events.size() >= 100);
    const auto& status = back.reader.status();
    CHECK((!status.damage.empty() || status.truncated));
    if (!status.damage.empty()) {
      ++detected;
      CHECK(status.summary().find("corrupt frame") != std::string::npos);
    }
  }
  CHECK(detected > 250);
}

TEST_CASE("a corrupt preamble is skipped by resynchronising on the next frame", "[damage]") {
  auto t = three_batches();
  auto bytes = t.bytes;
  const size_t second_batch = t.frame_ends[2];  // header, strings, batch 0, [batch 1]
  bytes[second_batch] = 'X';                     // break its magic
  TempPath path("resync");
  write_bytes(path.str(), bytes);
  ReadBack back(path.str());
  CHECK(back.events.size() == 100);
  REQUIRE(back.reader.status().damage.size() == 1);
  CHECK(back.reader.status().damage[0].offset == second_batch);
  CHECK(back.reader.status().footer.has_value());
}

TEST_CASE("files that are not traces get one clear reason", "[damage]") {
  TempPath path("bad");
  write_bytes(path.str(), {});
  CHECK_THAT(error_of(path.str()), Catch::Contains("empty file"));

  const std::string text = "hello, this is a text file\n";
  write_bytes(path.str(), std::vector<uint8_t>(text.begin(), text.end()));
  CHECK_THAT(error_of(path.str()), Catch::Contains("bad magic"));

  CHECK_THAT(error_of("/nonexistent/trace.tscope"), Catch::Contains("cannot open"));

  auto t = three_batches();
  auto bytes = t.bytes;
  bytes[1] = 'Z';
  write_bytes(path.str(), bytes);
  CHECK_THAT(error_of(path.str()), Catch::Contains("bad magic"));
}

TEST_CASE("a future major version is refused with a clear message", "[damage]") {
  TraceBytes t;
  auto header = test_header();
  header.version_major = kFormatMajor + 2;
  t.header(header);
  TempPath path("future");
  write_bytes(path.str(), t.bytes);
  const auto error = error_of(path.str());
  CHECK_THAT(error, Catch::Contains("newer than this reader"));
  CHECK_THAT(error, Catch::Contains(path.str()));
}

TEST_CASE("absurd length fields are refused without allocating what they claim", "[damage]") {
  auto t = three_batches();
  // Rewrite the first batch's preamble with a 4 GiB payload and a matching check
  // word: it must be treated as noise, not trusted.
  auto bytes = t.bytes;
  set_payload_size(bytes, t.frame_ends[1], 0xffffffffu);
  TempPath path("absurd");
  write_bytes(path.str(), bytes);
  size_t largest = 0;
  auto back = read_watched(path.str(), largest);
  CHECK(largest < kLargeAllocation);
  REQUIRE(back);
  CHECK(back->events.size() == 100);
  CHECK(back->reader.status().damage.size() == 1);

  // A plausible size that runs past the end of the file is truncation.
  auto cut = std::vector<uint8_t>(t.bytes.begin(), t.bytes.begin() + t.frame_ends[2] + 30);
  write_bytes(path.str(), cut);
  auto truncated = read_watched(path.str(), largest);
  CHECK(largest < kLargeAllocation);
  REQUIRE(truncated);
  CHECK(truncated->reader.status().truncated);
  CHECK(truncated->events.size() == 50);

  // So is a sound preamble claiming 48 MiB (within the format's limits) in a
  // small file: the length is checked against the file before it is allocated.
  bytes = t.bytes;
  set_payload_size(bytes, t.frame_ends[2], 48u << 20);
  write_bytes(path.str(), bytes);
  auto claimed = read_watched(path.str(), largest);
  CHECK(largest < kLargeAllocation);
  REQUIRE(claimed);
  CHECK(claimed->reader.status().truncated);
  CHECK(claimed->events.size() == 50);
}

namespace taskscope::format::testing {
namespace {

TEST_CASE("a frame with a time outside +-2^61 ns is damage, and the other frames read",
          "[damage]") {
  for (const int64_t bad : {kMaxTraceTimeNs + 1, -kMaxTraceTimeNs - 1, INT64_MAX, INT64_MIN}) {
    INFO("time " << bad);
    TraceBytes t;
    t.header();
    t.batch(1, {make_event(10, 1, EventKind::kMark, 1), make_event(20, 1, EventKind::kMark, 2)}, 20);
    t.batch(2, {make_event(bad, 2, EventKind::kMark, 3)}, 0);
    t.batch(3, {make_event(30, 3, EventKind::kMark, 4)}, 30);
    TempPath path("time-range");
    write_bytes(path.str(), t.bytes);
    ReadBack back(path.str());
    CHECK(back.events.size() == 3);
    REQUIRE(back.reader.status().damage.size() == 1);
    CHECK_THAT(back.reader.status().damage[0].reason, Catch::Contains("event time out of range"));
    CHECK(back.reader.status().duration_ns() == 20);
  }
}

}  // namespace
}  // namespace taskscope::format::testing
