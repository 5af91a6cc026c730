// TraceReader: a k-way merge of per-thread batches, released up to the latest
// watermark. Each batch frame promises that no later frame holds an earlier event
// than its watermark, so everything below it can be emitted in order while later
// frames are still unread: memory is bounded by the events of one merge window.
#include <algorithm>

#include "taskscope/format/reader.hpp"

namespace taskscope::format {

struct TraceReader::Cursor {
  std::vector<Event> events;
  size_t pos = 0;
  uint64_t sequence = 0;  // file order, breaks timestamp ties deterministically

  const Event& head() const { return events[pos]; }
};

namespace {

// std heap functions build a max-heap; invert to pop the earliest head first.
bool later(const std::unique_ptr<TraceReader::Cursor>& x,
           const std::unique_ptr<TraceReader::Cursor>& y);

}  // namespace

TraceReader::TraceReader(const std::string& path) : frames_(path) {}
TraceReader::~TraceReader() = default;

const std::string& TraceReader::path() const { return frames_.path(); }
const TraceHeader& TraceReader::header() const { return frames_.header(); }
const ReadStatus& TraceReader::status() const { return frames_.status(); }

std::string_view TraceReader::string(uint32_t id) const {
  if (id == 0) return {};
  if (auto it = strings_.find(id); it != strings_.end()) return it->second;
  scratch_ = "?" + std::to_string(id);
  return scratch_;
}

namespace {
bool later(const std::unique_ptr<TraceReader::Cursor>& x,
           const std::unique_ptr<TraceReader::Cursor>& y) {
  if (x->head().ts_ns != y->head().ts_ns) return x->head().ts_ns > y->head().ts_ns;
  return x->sequence > y->sequence;
}
}  // namespace

void TraceReader::admit(FrameView& frame) {
  if (frame.events.empty()) return;
  auto cursor = std::make_unique<Cursor>();
  cursor->events = std::move(frame.events);
  cursor->sequence = frame.offset;
  heap_.push_back(std::move(cursor));
  std::push_heap(heap_.begin(), heap_.end(), later);
}

bool TraceReader::refill() {
  while (true) {
    auto frame = frames_.next();
    if (!frame) {
      eof_ = true;
      return false;
    }
    switch (frame->type) {
      case FrameType::kStrings:
        for (auto& entry : frame->strings) strings_[entry.id] = std::move(entry.text);
        break;
      case FrameType::kEventBatch:
        admit(*frame);
        watermark_ns_ = std::max(watermark_ns_, frame->watermark_ns);
        batch_seen_ = true;
        return true;
      case FrameType::kSnapshot:
        // Only the first snapshot describes state the events do not: later ones
        // repeat what replaying the events already established.
        if (!batch_seen_ && !snapshot_taken_) {
          snapshot_taken_ = true;
          frames_.status().snapshot_events += frame->events.size();
          admit(*frame);
        }
        break;
      case FrameType::kHeader:
      case FrameType::kFooter:
        break;
    }
  }
}

bool TraceReader::next(Event& out) {
  while (heap_.empty() || (!eof_ && heap_.front()->head().ts_ns >= watermark_ns_)) {
    if (!refill() && heap_.empty()) return false;
    if (eof_) break;
  }
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), later);
  Cursor& cursor = *heap_.back();
  out = cursor.head();
  if (++cursor.pos == cursor.events.size())
    heap_.pop_back();
  else
    std::push_heap(heap_.begin(), heap_.end(), later);

  auto& status = frames_.status();
  if (out.ts_ns < last_ns_) {
    // Recorded after its window closed (a producer preempted between taking its
    // timestamp and publishing): keep it, in order, and say so.
    out.ts_ns = last_ns_;
    out.flags |= kFlagLate;
    ++status.late_events;
  }
  if (status.events == 0 && !(out.flags & kFlagSnapshot)) status.first_ns = out.ts_ns;
  last_ns_ = out.ts_ns;
  status.last_ns = out.ts_ns;
  if (!(out.flags & kFlagSnapshot)) ++status.events;
  if (out.kind == EventKind::kDropped) status.dropped_events += out.a;
  return true;
}

}  // namespace taskscope::format
