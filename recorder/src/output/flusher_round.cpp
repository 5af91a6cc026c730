// One flusher round: drain the rings, update the mirror, encode and emit.
#include <algorithm>
#include <queue>

#include "output/flusher.hpp"
#include "hot_path/session_state.hpp"
#include "hot_path/strings.hpp"

namespace taskscope::detail {
namespace {

// Past this many incremental string frames, a flight buffer's are merged into
// one, so a long run does not accumulate thousands of tiny frames.
constexpr size_t kMaxStringFramesBeforeMerge = 32;

// Stream mode: the longest a reader following the file waits for a watermark
// while nothing is recorded (docs/top.md, "Freshness").
constexpr int64_t kIdleWatermarkNs = 200'000'000;

// Spilled records a round takes from one thread: the default ring's capacity
// (docs/architecture.md, "Bursts: spill blocks").
constexpr uint64_t kSpillPerRound = 32 * 1024;
// round_until_drained()'s bound: a 64M budget is 64 such rounds.
constexpr int kMaxDrainRounds = 1024;

}  // namespace

Flusher::Segment& Flusher::open_segment(uint64_t agent) {
  if (segments_used_ == segments_.size()) segments_.emplace_back();
  Segment& segment = segments_[segments_used_++];
  segment.agent = agent;
  segment.events.clear();
  return segment;
}

void Flusher::drain(ThreadContext* context, bool final) {
  // Read before draining: everything the thread published before retiring is
  // visible once this says so, and then this drain is its last.
  const bool retired = context->retired.load(std::memory_order_acquire);
  FlushCursor& cursor = context->flush;
  Segment* segment = &open_segment(cursor.agent);
  auto append = [&](format::Event event) {
    event.ts_ns = std::max(event.ts_ns, cursor.last_ns);
    cursor.last_ns = event.ts_ns;
    event.thread = segment->agent;
    segment->events.push_back(event);
  };
  for (const format::Event& event : cursor.synthetic) append(event);
  cursor.synthetic.clear();

  // The spill chain's extent is read before the ring's: see the ordering note
  // in spill.hpp. The ring's records come first, then the spilled ones.
  EventRing& ring = context->ring;
  SpillChain& spill = context->spill;
  const uint64_t spilled = spill.snapshot();
  // A round takes at most a ring's worth of a thread's backlog, so that its
  // buffers and a flight window's generations stay the size of a ring's; the
  // rest goes in the next rounds, which follow at once.
  const uint64_t spill_taken = std::min(spilled, kSpillPerRound);
  const bool spill_left = spill_taken < spilled;
  backlog_ = backlog_ || spill_left;
  const uint64_t available = ring.readable();
  uint64_t dropped = 0;
  // Deferred holds read from the ledger that the thread wrote itself since.
  auto written = [&](const format::Event& event) {
    if (event.kind != EventKind::kAcquired) return;
    auto& deferred = cursor.deferred;
    deferred.erase(std::remove_if(deferred.begin(), deferred.end(),
                                  [&](const format::Event& hold) {
                                    return hold.a == event.a && hold.ts_ns == event.ts_ns;
                                  }),
                   deferred.end());
  };
  auto take = [&](const Record& record) {
    if (record.kind == kRecordRebind) {
      cursor.agent = record.a;
      segment = &open_segment(record.a);
      return;
    }
    // Left over from an earlier session (written after its last drain).
    if (record.ticks < clock_.start_ticks) return;
    format::Event event;
    event.ts_ns = clock_.to_ns(record.ticks);
    event.kind = static_cast<EventKind>(record.kind);
    event.op = record.op;
    event.flags = record.flags;
    event.str = record.str;
    event.a = record.a;
    event.b = record.b;
    if (event.kind == EventKind::kDropped) {
      event.b = static_cast<uint64_t>(std::max<int64_t>(clock_.to_ns(record.b), 0));
      dropped += event.a;
    }
    if (!cursor.deferred.empty()) written(event);
    append(event);
    newest_event_ns_ = std::max(newest_event_ns_, cursor.last_ns);
  };
  for (uint64_t i = 0; i < available; ++i) take(ring.peek(i));
  ring.consume(available);
  spill.consume(spill_taken, take);
  if (!spill_left) {  // after everything the thread wrote before them
    for (const format::Event& event : cursor.deferred) append(event);
    cursor.deferred.clear();
  }

  // Losses nobody else will report: the thread is gone, or the session ends
  // (once its backlog is drained: they follow every event kept).
  if ((retired || final) && !spill_left) {
    uint64_t first = 0;
    if (const uint64_t lost = ring.take_drops(&first); lost != 0) {
      format::Event event;
      event.kind = EventKind::kDropped;
      event.ts_ns = clock_.to_ns(read_ticks());  // the losses happened before now
      event.a = lost;
      event.b = static_cast<uint64_t>(std::max<int64_t>(clock_.to_ns(first), 0));
      append(event);
      dropped += lost;
    }
  }
  if (retired && !spill_left) drained_retired_.push_back(context);
  g_counters.dropped.fetch_add(dropped, std::memory_order_relaxed);
}

void Flusher::feed_mirror() {
  // Merge the round's per-thread segments by time, so that a release on one
  // thread is applied before the acquisition it enabled on another.
  using Head = std::pair<int64_t, std::pair<size_t, size_t>>;  // ts, (segment, index)
  std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heads;
  for (size_t s = 0; s < segments_used_; ++s) {
    if (!segments_[s].events.empty()) heads.push({segments_[s].events[0].ts_ns, {s, 0}});
  }
  while (!heads.empty()) {
    const auto [ts, where] = heads.top();
    heads.pop();
    const Segment& segment = segments_[where.first];
    mirror_.apply(segment.agent, segment.events[where.second]);
    const size_t next = where.second + 1;
    if (next < segment.events.size()) heads.push({segment.events[next].ts_ns, {where.first, next}});
  }
}

void Flusher::emit(format::Frame frame, uint64_t events) {
  const uint64_t size = frame.size();
  if (flight_ != nullptr) {
    flight_->append(std::move(frame), events);
  } else if (!stream_->write(frame)) {
    return;
  }
  g_counters.frames.fetch_add(1, std::memory_order_relaxed);
  g_counters.bytes.fetch_add(size, std::memory_order_relaxed);
}

void Flusher::round_until_drained(bool final) {
  // The budget holds at most spill_bytes / 32 records, a ring's worth a round;
  // the bound leaves room for a program that spills while it is drained.
  for (int rounds = 0; rounds < kMaxDrainRounds; ++rounds) {
    round(final);
    if (!backlog_) return;
  }
}

void Flusher::round(bool final) {
  backlog_ = false;
  const uint64_t round_ticks = read_ticks();
  ThreadRegistry::instance().list(contexts_);
  segments_used_ = 0;
  newest_event_ns_ = -1;
  drained_retired_.clear();
  for (ThreadContext* context : contexts_) drain(context, final);

  // A frozen flight buffer belongs to a crash dump now: leave it alone.
  if (flight_ != nullptr && !flight_->begin_mutation()) {
    crashed_ = true;
    backlog_ = false;  // nothing more can be kept
    return;
  }
  struct EndMutation {
    FlightBuffer* buffer;
    ~EndMutation() {
      if (buffer != nullptr) buffer->end_mutation();
    }
  } end_mutation{flight_.get()};

  if (flight_ != nullptr && flight_->wants_generation()) {
    // The snapshot describes the state before this round's events, at the
    // watermark, which no later event precedes.
    mirror_.snapshot(watermark_ns_, modules_, scratch_);
    flight_->start_generation(encoder_.snapshot(watermark_ns_, generation_++, scratch_));
    // Each generation records the lock-order edges seen in it (hold_ledger.hpp):
    // a window keeps them when older generations are dropped.
    g_edge_epoch.fetch_add(1, std::memory_order_relaxed);
    g_counters.frames.fetch_add(1, std::memory_order_relaxed);
  }
  if (mirror_enabled_) feed_mirror();

  // Strings before the batches that use them: an event's string was interned
  // before the event was committed, hence before this collect.
  strings_.clear();
  next_string_ = StringTable::instance().collect(next_string_, strings_);
  if (!strings_.empty()) {
    if (flight_ != nullptr) {
      if (flight_->string_frame_count() >= kMaxStringFramesBeforeMerge) {
        strings_.clear();
        StringTable::instance().collect(1, strings_);
        flight_->replace_strings(encoder_.strings(strings_));
      } else {
        flight_->add_strings(encoder_.strings(strings_));
      }
    } else {
      emit(encoder_.strings(strings_), 0);
    }
  }

  // Small batches (short-lived threads) share frames (docs/trace-format.md).
  uint64_t events = 0;
  round_batches_.clear();
  for (size_t s = 0; s < segments_used_; ++s) {
    const Segment& segment = segments_[s];
    if (segment.events.empty()) continue;
    round_batches_.push_back({segment.agent, segment.events});
    events += segment.events.size();
  }
  frames_.clear();
  frame_events_.clear();
  encoder_.batches(round_batches_, watermark_ns_, frames_, frame_events_);
  for (size_t f = 0; f < frames_.size(); ++f) emit(std::move(frames_[f]), frame_events_[f]);
  g_counters.events.fetch_add(events, std::memory_order_relaxed);
  const int64_t round_ns = clock_.to_ns(round_ticks);
  if (stream_ != nullptr) {
    // A reader following the file (`taskscope top`) releases events only up to
    // the latest watermark. While nothing is recorded (every thread blocked) an
    // empty batch carries it, so a hang shows live, not only in the dump.
    const bool idle_too_long = events == 0 && watermark_ns_ > promised_watermark_ns_ &&
                               round_ns - last_batch_ns_ >= kIdleWatermarkNs;
    if (idle_too_long) emit(encoder_.watermark(watermark_ns_), 0);
    if (events != 0 || idle_too_long) {
      promised_watermark_ns_ = watermark_ns_;
      last_batch_ns_ = round_ns;
    }
  }
  watermark_ns_ = std::max(watermark_ns_, round_ns);
  ThreadRegistry::instance().release(drained_retired_);
}

}  // namespace taskscope::detail
