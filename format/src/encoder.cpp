// FrameEncoder: FlatBuffers table -> zstd frame (checksummed) -> preamble.
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "columns.hpp"
#include "frame.hpp"
#include "taskscope/format/writer.hpp"
#include "trace_generated.h"

namespace taskscope::format {
namespace {

// Batches are split so that time deltas fit the 32-bit column and frames stay
// far below the reader's size limits.
constexpr size_t kMaxEventsPerFrame = 1 << 16;
constexpr int64_t kMaxDeltaNs = UINT32_MAX;

}  // namespace

struct FrameEncoder::Impl {
  flatbuffers::FlatBufferBuilder builder{1 << 16};
  ZSTD_CCtx* zstd = nullptr;
  std::vector<Event> scratch;

  Frame seal(FrameType type) {
    const uint8_t* raw = builder.GetBufferPointer();
    const size_t raw_size = builder.GetSize();
    Frame frame(kPreambleSize + ZSTD_compressBound(raw_size));
    const size_t compressed =
        ZSTD_compress2(zstd, frame.data() + kPreambleSize, frame.size() - kPreambleSize, raw,
                       raw_size);
    if (ZSTD_isError(compressed)) return {};  // cannot happen with a bound-sized buffer
    frame.resize(kPreambleSize + compressed);
    encode_preamble({type, static_cast<uint32_t>(compressed), static_cast<uint32_t>(raw_size)},
                    frame.data());
    builder.Clear();
    return frame;
  }

  // Event batch frames for `events` (time order), split where a time delta
  // would not fit its column, where time steps back, and every
  // kMaxEventsPerFrame events. With `with_threads` each event's thread is
  // stored and `thread` is 0 (a shared batch).
  void split(uint64_t thread, std::span<const Event> events, bool with_threads,
             int64_t watermark_ns, std::vector<Frame>& out, std::vector<uint64_t>* counts) {
    size_t begin = 0;
    while (begin < events.size()) {
      size_t end = begin + 1;
      // A step back in time, or one too long for the delta column, starts a new
      // frame (the difference is taken only when it is known not to overflow).
      while (end < events.size() && end - begin < kMaxEventsPerFrame &&
             events[end].ts_ns >= events[end - 1].ts_ns &&
             static_cast<uint64_t>(events[end].ts_ns) -
                     static_cast<uint64_t>(events[end - 1].ts_ns) <=
                 static_cast<uint64_t>(kMaxDeltaNs))
        ++end;
      auto columns = build_columns(builder, events.subspan(begin, end - begin), with_threads,
                                   /*absolute_times=*/false);
      // A split batch promises its watermark only with its last part: earlier
      // parts must not let the reader emit events that the later parts precede.
      const int64_t watermark =
          end == events.size() ? watermark_ns : std::min(watermark_ns, events[begin].ts_ns);
      builder.Finish(fb::CreateEventBatch(builder, thread, watermark, columns),
                     fb::AnyIdentifier());
      out.push_back(seal(FrameType::kEventBatch));
      if (counts != nullptr) counts->push_back(end - begin);
      begin = end;
    }
  }
};

FrameEncoder::FrameEncoder(int zstd_level) : impl_(new Impl) {
  impl_->zstd = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(impl_->zstd, ZSTD_c_compressionLevel, zstd_level);
  ZSTD_CCtx_setParameter(impl_->zstd, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(impl_->zstd, ZSTD_c_contentSizeFlag, 1);
}

FrameEncoder::~FrameEncoder() {
  if (impl_) ZSTD_freeCCtx(impl_->zstd);
}

FrameEncoder::FrameEncoder(FrameEncoder&&) noexcept = default;
FrameEncoder& FrameEncoder::operator=(FrameEncoder&&) noexcept = default;

Frame FrameEncoder::header(const TraceHeader& h) {
  auto& b = impl_->builder;
  auto root = fb::CreateHeader(b, h.version_major, h.version_minor,
                               b.CreateString(h.process_name), h.pid, h.start_unix_ns,
                               h.ticks_per_ns, h.start_ticks, b.CreateString(h.mode),
                               h.buffer_bytes, h.hang_timeout_ns, b.CreateString(h.reason),
                               h.threads_at_hang, b.CreateString(h.holds));
  b.Finish(root, fb::AnyIdentifier());
  return impl_->seal(FrameType::kHeader);
}

Frame FrameEncoder::strings(std::span<const StringEntry> entries) {
  auto& b = impl_->builder;
  std::vector<flatbuffers::Offset<fb::StringEntry>> offsets;
  offsets.reserve(entries.size());
  for (const auto& entry : entries)
    offsets.push_back(fb::CreateStringEntry(b, entry.id, b.CreateString(entry.text)));
  b.Finish(fb::CreateStrings(b, b.CreateVector(offsets)), fb::AnyIdentifier());
  return impl_->seal(FrameType::kStrings);
}

void FrameEncoder::batch(uint64_t thread, std::span<const Event> events, int64_t watermark_ns,
                         std::vector<Frame>& out) {
  impl_->split(thread, events, false, watermark_ns, out, nullptr);
}

void FrameEncoder::batches(std::span<const ThreadEvents> batches, int64_t watermark_ns,
                           std::vector<Frame>& out, std::vector<uint64_t>& events_in_frame) {
  auto& shared = impl_->scratch;
  shared.clear();
  for (const ThreadEvents& batch : batches) {
    const auto& events = batch.events;
    if (events.empty()) continue;
    // A batch that steps back in time keeps frames of its own: merged by time,
    // its events would change order.
    const bool ordered = std::is_sorted(
        events.begin(), events.end(), [](const Event& x, const Event& y) { return x.ts_ns < y.ts_ns; });
    if (events.size() > kSharedBatchMaxEvents || !ordered) {
      impl_->split(batch.thread, events, false, watermark_ns, out, &events_in_frame);
      continue;
    }
    for (Event event : events) {
      event.thread = batch.thread;
      shared.push_back(event);
    }
  }
  if (shared.empty()) return;
  // Stable: equal times stay in the order the batches were given.
  std::stable_sort(shared.begin(), shared.end(),
                   [](const Event& x, const Event& y) { return x.ts_ns < y.ts_ns; });
  impl_->split(0, shared, true, watermark_ns, out, &events_in_frame);
}

Frame FrameEncoder::watermark(int64_t watermark_ns) {
  auto& b = impl_->builder;
  auto columns = build_columns(b, {}, false, false);
  b.Finish(fb::CreateEventBatch(b, 0, watermark_ns, columns), fb::AnyIdentifier());
  return impl_->seal(FrameType::kEventBatch);
}

Frame FrameEncoder::snapshot(int64_t time_ns, uint32_t generation, std::span<const Event> state) {
  auto& sorted = impl_->scratch;
  sorted.assign(state.begin(), state.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Event& x, const Event& y) { return x.ts_ns < y.ts_ns; });
  for (auto& e : sorted) {
    e.flags |= kFlagSnapshot;
    e.ts_ns = std::min(e.ts_ns, time_ns);
  }
  auto& b = impl_->builder;
  auto columns = build_columns(b, sorted, true, true);
  b.Finish(fb::CreateSnapshot(b, time_ns, generation, columns), fb::AnyIdentifier());
  return impl_->seal(FrameType::kSnapshot);
}

Frame FrameEncoder::footer(const TraceFooter& f) {
  auto& b = impl_->builder;
  b.Finish(fb::CreateFooter(b, f.events, f.frames, f.dropped_events, f.end_ns),
           fb::AnyIdentifier());
  return impl_->seal(FrameType::kFooter);
}

}  // namespace taskscope::format
