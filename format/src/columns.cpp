#include "columns.hpp"

namespace taskscope::format {

flatbuffers::Offset<fb::EventColumns> build_columns(flatbuffers::FlatBufferBuilder& builder,
                                                    std::span<const Event> events,
                                                    bool with_threads) {
  const size_t n = events.size();
  // Each column is created in place and filled at once: a pointer into the builder
  // is valid only until its next allocation.
  auto column = [&]<typename T>(T*, auto&& field) {
    T* data = nullptr;
    auto offset = builder.CreateUninitializedVector(n, &data);
    for (size_t i = 0; i < n; ++i) flatbuffers::WriteScalar(data + i, static_cast<T>(field(i)));
    return offset;
  };
  flatbuffers::Offset<flatbuffers::Vector<uint32_t>> v_deltas;
  flatbuffers::Offset<flatbuffers::Vector<int64_t>> v_timestamps;
  if (with_threads)
    v_timestamps = column(static_cast<int64_t*>(nullptr), [&](size_t i) { return events[i].ts_ns; });
  else
    v_deltas = column(static_cast<uint32_t*>(nullptr), [&](size_t i) {
      return i == 0 ? 0 : events[i].ts_ns - events[i - 1].ts_ns;
    });
  auto v_kinds = column(static_cast<uint8_t*>(nullptr),
                        [&](size_t i) { return static_cast<uint8_t>(events[i].kind); });
  auto v_ops = column(static_cast<uint8_t*>(nullptr), [&](size_t i) { return events[i].op; });
  auto v_flags = column(static_cast<uint16_t*>(nullptr), [&](size_t i) { return events[i].flags; });
  auto v_strs = column(static_cast<uint32_t*>(nullptr), [&](size_t i) { return events[i].str; });
  auto v_a = column(static_cast<uint64_t*>(nullptr), [&](size_t i) { return events[i].a; });
  auto v_b = column(static_cast<uint64_t*>(nullptr), [&](size_t i) { return events[i].b; });
  flatbuffers::Offset<flatbuffers::Vector<uint64_t>> v_threads;
  if (with_threads)
    v_threads = column(static_cast<uint64_t*>(nullptr), [&](size_t i) { return events[i].thread; });
  const int64_t first = n ? events.front().ts_ns : 0;
  const int64_t last = n ? events.back().ts_ns : 0;
  return fb::CreateEventColumns(builder, first, last, v_deltas, v_kinds, v_ops, v_flags, v_strs,
                                v_a, v_b, v_threads, v_timestamps);
}

std::string read_columns(const fb::EventColumns* columns, uint64_t thread,
                         std::vector<Event>& out) {
  out.clear();
  if (!columns) return "event columns missing";
  const auto* deltas = columns->time_deltas();
  const auto* kinds = columns->kinds();
  const auto* ops = columns->ops();
  const auto* flags = columns->flags();
  const auto* strs = columns->strs();
  const auto* a = columns->a();
  const auto* b = columns->b();
  const auto* threads = columns->threads();
  const auto* timestamps = columns->timestamps();
  if ((!deltas && !timestamps) || !kinds || !ops || !flags || !strs || !a || !b) return "event column missing";
  const size_t n = kinds->size();
  if ((deltas ? deltas->size() : timestamps->size()) != n || ops->size() != n || flags->size() != n || strs->size() != n ||
      a->size() != n || b->size() != n || (threads && threads->size() != n))
    return "event columns of different lengths";
  out.resize(n);
  int64_t ts = columns->first_ns();
  for (size_t i = 0; i < n; ++i) {
    Event& e = out[i];
    if (timestamps) {
      const int64_t next = timestamps->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (i > 0 && next < ts) return "snapshot timestamps out of order";
      ts = next;
    } else {
      const uint32_t delta = deltas->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (ts > INT64_MAX - static_cast<int64_t>(delta)) return "timestamp overflow";
      ts += delta;
    }
    e.ts_ns = ts;
    e.thread = threads ? threads->Get(static_cast<flatbuffers::uoffset_t>(i)) : thread;
    e.kind = static_cast<EventKind>(kinds->Get(static_cast<flatbuffers::uoffset_t>(i)));
    e.op = ops->Get(static_cast<flatbuffers::uoffset_t>(i));
    e.flags = flags->Get(static_cast<flatbuffers::uoffset_t>(i));
    e.str = strs->Get(static_cast<flatbuffers::uoffset_t>(i));
    e.a = a->Get(static_cast<flatbuffers::uoffset_t>(i));
    e.b = b->Get(static_cast<flatbuffers::uoffset_t>(i));
  }
  if (n && ts != columns->last_ns()) return "event time range does not match its events";
  return {};
}

}  // namespace taskscope::format
