// The flusher's side of deferred lock holds (hot_path/hold_ledger.hpp): where
// the program stops being recorded, or a dump is taken, the holds that threads
// kept instead of recording are written as the kAcquired events they stand for.
#include "hot_path/hold_ledger.hpp"
#include "output/flusher.hpp"

namespace taskscope::detail {

void Flusher::deferred_hold_events(ThreadContext* context, std::vector<format::Event>& out) {
  if (context->retired.load(std::memory_order_acquire)) return;  // its end published them
  holds_.clear();
  context->ledger.deferred_holds(holds_);
  for (const DeferredHold& hold : holds_) {
    format::Event event;
    event.ts_ns = clock_.to_ns(std::max(hold.ticks, clock_.start_ticks));
    event.thread = context->flush.agent;
    event.kind = EventKind::kAcquired;
    event.op = hold.mode;
    event.str = hold.where;
    event.a = hold.resource;
    out.push_back(event);
  }
}

void Flusher::publish_deferred_holds() {
  ThreadRegistry::instance().list(contexts_);
  for (ThreadContext* context : contexts_) deferred_hold_events(context, context->flush.deferred);
}

void Flusher::drain_with_deferred_holds(bool final) {
  round_until_drained(final);
  // A flight window gets them in its dump instead (dump_window).
  if (stream_ == nullptr) return;
  publish_deferred_holds();
  round_until_drained(final);
}

uint64_t Flusher::deferred_hold_frames(std::vector<format::Frame>& out) {
  ThreadRegistry::instance().list(contexts_);
  std::vector<std::vector<format::Event>> per_thread;
  for (ThreadContext* context : contexts_) {
    std::vector<format::Event> events;
    deferred_hold_events(context, events);
    if (!events.empty()) per_thread.push_back(std::move(events));
  }
  std::vector<format::ThreadEvents> batches;
  uint64_t count = 0;
  for (const auto& events : per_thread) {
    batches.push_back({events.front().thread, events});
    count += events.size();
  }
  if (batches.empty()) return 0;
  std::vector<uint64_t> events_in_frame;
  encoder_.batches(batches, watermark_ns_, out, events_in_frame);
  return count;
}

}  // namespace taskscope::detail
