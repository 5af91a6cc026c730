#include "columns.hpp"

#include <bit>
#include <cstring>

#include "taskscope/format/trace.hpp"

namespace taskscope::format {
namespace {

using Bytes = flatbuffers::Offset<flatbuffers::Vector<uint8_t>>;

// Bytes needed for the largest value (0 when all are zero).
template <typename Field>
uint8_t width_of(size_t n, Field&& field) {
  uint64_t all = 0;
  for (size_t i = 0; i < n; ++i) all |= static_cast<uint64_t>(field(i));
  return static_cast<uint8_t>((64 - std::countl_zero(all) + 7) / 8);
}

// Writes a packed column in place: a pointer into the builder is valid only
// until its next allocation, so each column is created and filled at once.
template <typename Field>
Bytes pack(flatbuffers::FlatBufferBuilder& builder, size_t n, uint8_t width, Field&& field) {
  if (width == 0) return 0;
  uint8_t* data = nullptr;
  auto offset = builder.CreateUninitializedVector(n * width, &data);
  for (size_t i = 0; i < n; ++i) {
    uint64_t value = static_cast<uint64_t>(field(i));
    for (uint8_t byte = 0; byte < width; ++byte, value >>= 8) data[i * width + byte] = value & 0xff;
  }
  return offset;
}

// Reads a packed column; false if its size does not match count and width.
template <typename Store>
bool unpack(const flatbuffers::Vector<uint8_t>* column, uint8_t width, size_t n, Store&& store) {
  if (width > 8) return false;
  if (width == 0) return !column || column->size() == 0;
  if (!column || column->size() != n * width) return false;
  const uint8_t* data = column->data();
  switch (width) {  // the common widths get a fixed-size copy the compiler unrolls
    case 1:
      for (size_t i = 0; i < n; ++i) store(i, data[i]);
      return true;
    case 2:
      for (size_t i = 0; i < n; ++i) store(i, uint64_t{data[2 * i]} | uint64_t{data[2 * i + 1]} << 8);
      return true;
    default:
      for (size_t i = 0; i < n; ++i) {
        uint64_t value = 0;
        std::memcpy(&value, data + i * width, width);  // little-endian host
        store(i, value);
      }
      return true;
  }
}

}  // namespace

flatbuffers::Offset<fb::EventColumns> build_columns(flatbuffers::FlatBufferBuilder& builder,
                                                    std::span<const Event> events,
                                                    bool with_threads) {
  static_assert(std::endian::native == std::endian::little, "packed columns assume little-endian");
  const size_t n = events.size();
  auto delta = [&](size_t i) { return i == 0 ? 0 : events[i].ts_ns - events[i - 1].ts_ns; };
  auto kind = [&](size_t i) { return static_cast<uint8_t>(events[i].kind); };
  auto op = [&](size_t i) { return events[i].op; };
  auto flags = [&](size_t i) { return events[i].flags; };
  auto str = [&](size_t i) { return events[i].str; };
  auto a = [&](size_t i) { return events[i].a; };
  auto b = [&](size_t i) { return events[i].b; };
  auto thread = [&](size_t i) { return events[i].thread; };

  flatbuffers::Offset<flatbuffers::Vector<int64_t>> v_timestamps;
  Bytes v_deltas = 0;
  uint8_t delta_width = 0;
  if (with_threads) {
    int64_t* data = nullptr;
    v_timestamps = builder.CreateUninitializedVector(n, &data);
    for (size_t i = 0; i < n; ++i) flatbuffers::WriteScalar(data + i, events[i].ts_ns);
  } else {
    delta_width = width_of(n, delta);
    v_deltas = pack(builder, n, delta_width, delta);
  }
  const Bytes v_kinds = pack(builder, n, 1, kind);
  const Bytes v_ops = pack(builder, n, 1, op);
  const uint8_t flags_width = width_of(n, flags), strs_width = width_of(n, str),
                a_width = width_of(n, a), b_width = width_of(n, b),
                threads_width = with_threads ? width_of(n, thread) : 0;
  const Bytes v_flags = pack(builder, n, flags_width, flags);
  const Bytes v_strs = pack(builder, n, strs_width, str);
  const Bytes v_a = pack(builder, n, a_width, a);
  const Bytes v_b = pack(builder, n, b_width, b);
  const Bytes v_threads = pack(builder, n, threads_width, thread);
  const int64_t first = n ? events.front().ts_ns : 0;
  const int64_t last = n ? events.back().ts_ns : 0;
  return fb::CreateEventColumns(builder, static_cast<uint32_t>(n), first, last, v_deltas,
                                delta_width, v_kinds, v_ops, v_flags, flags_width, v_strs,
                                strs_width, v_a, a_width, v_b, b_width, v_threads, threads_width,
                                v_timestamps);
}

std::string read_columns(const fb::EventColumns* columns, uint64_t thread,
                         std::vector<Event>& out) {
  out.clear();
  if (!columns) return "event columns missing";
  const size_t n = columns->count();
  // Every column must hold `count` values: check before allocating from `count`.
  if (!columns->kinds() || columns->kinds()->size() != n || !columns->ops() ||
      columns->ops()->size() != n)
    return "event columns of different lengths";
  const auto* timestamps = columns->timestamps();
  if (timestamps && timestamps->size() != n) return "event columns of different lengths";
  out.resize(n);
  bool ok = true;
  if (timestamps) {
    for (size_t i = 0; i < n; ++i) {
      out[i].ts_ns = timestamps->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (!trace_time_valid(out[i].ts_ns)) return "event time out of range";
      if (i > 0 && out[i].ts_ns < out[i - 1].ts_ns) return "snapshot timestamps out of order";
    }
  } else {
    // Deltas are at most 32 bits each: from a first time in range the sum
    // cannot overflow before it is compared with last_ns.
    if (!trace_time_valid(columns->first_ns()) || !trace_time_valid(columns->last_ns()))
      return "event time out of range";
    int64_t ts = columns->first_ns();
    ok = unpack(columns->time_deltas(), columns->time_delta_width(), n,
                [&](size_t i, uint64_t delta) {
                  ts += static_cast<int64_t>(delta & 0xffffffffu);
                  out[i].ts_ns = ts;
                });
    if (ok && columns->time_delta_width() == 0)
      for (size_t i = 0; i < n; ++i) out[i].ts_ns = columns->first_ns();
    if (ok && columns->time_delta_width() > 4) return "time delta column too wide";
  }
  const uint8_t* kinds = columns->kinds()->data();
  const uint8_t* ops = columns->ops()->data();
  for (size_t i = 0; i < n; ++i) {
    out[i].kind = static_cast<EventKind>(kinds[i]);
    out[i].op = ops[i];
    out[i].thread = thread;
  }
  ok = ok &&
       unpack(columns->flags(), columns->flags_width(), n,
              [&](size_t i, uint64_t v) { out[i].flags = static_cast<uint16_t>(v); }) &&
       unpack(columns->strs(), columns->strs_width(), n,
              [&](size_t i, uint64_t v) { out[i].str = static_cast<uint32_t>(v); }) &&
       unpack(columns->a(), columns->a_width(), n, [&](size_t i, uint64_t v) { out[i].a = v; }) &&
       unpack(columns->b(), columns->b_width(), n, [&](size_t i, uint64_t v) { out[i].b = v; }) &&
       unpack(columns->threads(), columns->threads_width(), n,
              [&](size_t i, uint64_t v) { out[i].thread = v; });
  if (!ok) return "event column size does not match its count and width";
  if (columns->flags_width() > 2 || columns->strs_width() > 4)
    return "event column wider than its field";
  if (n && out.back().ts_ns != columns->last_ns())
    return "event time range does not match its events";
  return {};
}

}  // namespace taskscope::format
