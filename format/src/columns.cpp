#include "columns.hpp"

#include <bit>
#include <cstring>

#include "taskscope/format/trace.hpp"

namespace taskscope::format {
namespace {

using Bytes = flatbuffers::Offset<flatbuffers::Vector<uint8_t>>;

// Bytes needed for a value that is the OR of all values (0 when all are zero).
uint8_t width_of(uint64_t all) {
  return static_cast<uint8_t>((64 - std::countl_zero(all) + 7) / 8);
}

// Fills a packed column of a fixed width: the width is a template argument so
// that each store is one fixed-size copy.
template <size_t kWidth, typename Field>
void fill(uint8_t* data, size_t n, Field&& field) {
  for (size_t i = 0; i < n; ++i) {
    const uint64_t value = static_cast<uint64_t>(field(i));
    std::memcpy(data + i * kWidth, &value, kWidth);  // little-endian host
  }
}

// Writes a packed column in place: a pointer into the builder is valid only
// until its next allocation, so each column is created and filled at once.
template <typename Field>
Bytes pack(flatbuffers::FlatBufferBuilder& builder, size_t n, uint8_t width, Field&& field) {
  if (width == 0) return 0;
  uint8_t* data = nullptr;
  auto offset = builder.CreateUninitializedVector(n * width, &data);
  switch (width) {
    case 1:
      fill<1>(data, n, field);
      break;
    case 2:
      fill<2>(data, n, field);
      break;
    case 3:
      fill<3>(data, n, field);
      break;
    case 4:
      fill<4>(data, n, field);
      break;
    case 5:
      fill<5>(data, n, field);
      break;
    case 6:
      fill<6>(data, n, field);
      break;
    case 7:
      fill<7>(data, n, field);
      break;
    default:
      fill<8>(data, n, field);
      break;
  }
  return offset;
}

// One packed column being read: value i is the `width` bytes at data + i *
// width, read as one 8-byte load and masked. The 8-byte load may reach up to 7
// bytes past the column; read_columns' caller guarantees that those bytes are
// readable (kColumnReadSlack). An absent column (width 0) reads zeros.
struct PackedColumn {
  const uint8_t* data;
  size_t stride;
  uint64_t mask;

  uint64_t operator[](size_t i) const {
    uint64_t value;
    std::memcpy(&value, data + i * stride, 8);
    return value & mask;
  }
};

constexpr uint8_t kZeros[8] = {};

// The column's reader; false if its size does not match count and width.
bool open_column(const flatbuffers::Vector<uint8_t>* column, uint8_t width, size_t n,
                 PackedColumn& out) {
  if (width > 8) return false;
  if (width == 0) {
    out = {kZeros, 0, 0};
    return !column || column->size() == 0;
  }
  if (!column || column->size() != n * width) return false;
  out = {column->data(), width, width == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * width)) - 1};
  return true;
}

// Everything one decoding pass reads.
struct Sources {
  const flatbuffers::Vector<int64_t>* timestamps;  // snapshots: absolute times
  PackedColumn deltas, flags, strs, a, b, threads;
  const uint8_t* kinds;
  const uint8_t* ops;
  uint64_t thread;  // the batch's thread, 0 when the table has a thread column
  int64_t first_ns;
};

// Fills events[0, n) in one pass, each event written whole.
template <bool kAbsolute>
void decode(const Sources& s, Event* events, size_t n) {
  // Deltas are at most 32 bits each: from a first time in range the sum cannot
  // overflow before it is compared with last_ns.
  int64_t ts = s.first_ns;
  for (size_t i = 0; i < n; ++i) {
    Event& event = events[i];
    if constexpr (kAbsolute) {
      event.ts_ns = s.timestamps->Get(static_cast<flatbuffers::uoffset_t>(i));
    } else {
      ts += static_cast<int64_t>(s.deltas[i]);
      event.ts_ns = ts;
    }
    event.thread = s.thread | s.threads[i];
    event.kind = static_cast<EventKind>(s.kinds[i]);
    event.op = s.ops[i];
    event.flags = static_cast<uint16_t>(s.flags[i]);
    event.str = static_cast<uint32_t>(s.strs[i]);
    event.a = s.a[i];
    event.b = s.b[i];
  }
}

}  // namespace

flatbuffers::Offset<fb::EventColumns> build_columns(flatbuffers::FlatBufferBuilder& builder,
                                                    std::span<const Event> events,
                                                    bool with_threads, bool absolute_times) {
  static_assert(std::endian::native == std::endian::little, "packed columns assume little-endian");
  const size_t n = events.size();
  const Event* e = events.data();
  // Taken modulo 2^64: a snapshot's absolute times may lie any distance apart
  // (the delta column is then not written); a batch's are split by the encoder
  // so that each delta is small and non-negative.
  auto delta = [&](size_t i) {
    return i == 0 ? uint64_t{0}
                  : static_cast<uint64_t>(e[i].ts_ns) - static_cast<uint64_t>(e[i - 1].ts_ns);
  };
  // Every width in one pass over the events.
  uint64_t all_deltas = 0, all_flags = 0, all_strs = 0, all_a = 0, all_b = 0, all_threads = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!absolute_times) all_deltas |= delta(i);
    all_flags |= e[i].flags;
    all_strs |= e[i].str;
    all_a |= e[i].a;
    all_b |= e[i].b;
    all_threads |= e[i].thread;
  }

  flatbuffers::Offset<flatbuffers::Vector<int64_t>> v_timestamps;
  Bytes v_deltas = 0;
  uint8_t delta_width = 0;
  if (absolute_times) {
    int64_t* data = nullptr;
    v_timestamps = builder.CreateUninitializedVector(n, &data);
    for (size_t i = 0; i < n; ++i) flatbuffers::WriteScalar(data + i, e[i].ts_ns);
  } else {
    delta_width = width_of(all_deltas);
    v_deltas = pack(builder, n, delta_width, delta);
  }
  const Bytes v_kinds =
      pack(builder, n, 1, [&](size_t i) { return static_cast<uint8_t>(e[i].kind); });
  const Bytes v_ops = pack(builder, n, 1, [&](size_t i) { return e[i].op; });
  const uint8_t flags_width = width_of(all_flags), strs_width = width_of(all_strs),
                a_width = width_of(all_a), b_width = width_of(all_b),
                threads_width = with_threads ? width_of(all_threads) : 0;
  const Bytes v_flags = pack(builder, n, flags_width, [&](size_t i) { return e[i].flags; });
  const Bytes v_strs = pack(builder, n, strs_width, [&](size_t i) { return e[i].str; });
  const Bytes v_a = pack(builder, n, a_width, [&](size_t i) { return e[i].a; });
  const Bytes v_b = pack(builder, n, b_width, [&](size_t i) { return e[i].b; });
  const Bytes v_threads = pack(builder, n, threads_width, [&](size_t i) { return e[i].thread; });
  const int64_t first = n ? events.front().ts_ns : 0;
  const int64_t last = n ? events.back().ts_ns : 0;
  return fb::CreateEventColumns(builder, static_cast<uint32_t>(n), first, last, v_deltas,
                                delta_width, v_kinds, v_ops, v_flags, flags_width, v_strs,
                                strs_width, v_a, a_width, v_b, b_width, v_threads, threads_width,
                                v_timestamps);
}

std::string read_columns(const fb::EventColumns* columns, uint64_t thread,
                         std::vector<Event>& out) {
  // `out` keeps its size until the end: a recycled vector is overwritten in
  // place, not cleared and value-initialized again.
  auto fail = [&](const char* reason) {
    out.clear();
    return std::string(reason);
  };
  if (!columns) return fail("event columns missing");
  const size_t n = columns->count();
  // Every column must hold `count` values: check before allocating from `count`.
  if (!columns->kinds() || columns->kinds()->size() != n || !columns->ops() ||
      columns->ops()->size() != n)
    return fail("event columns of different lengths");
  const auto* timestamps = columns->timestamps();
  if (timestamps && timestamps->size() != n) return fail("event columns of different lengths");
  PackedColumn deltas{}, flags{}, strs{}, a{}, b{}, threads{};
  if (!open_column(columns->flags(), columns->flags_width(), n, flags) ||
      !open_column(columns->strs(), columns->strs_width(), n, strs) ||
      !open_column(columns->a(), columns->a_width(), n, a) ||
      !open_column(columns->b(), columns->b_width(), n, b) ||
      !open_column(columns->threads(), columns->threads_width(), n, threads) ||
      (!timestamps && !open_column(columns->time_deltas(), columns->time_delta_width(), n, deltas)))
    return fail("event column size does not match its count and width");
  if (!timestamps && columns->time_delta_width() > 4) return fail("time delta column too wide");
  if (columns->flags_width() > 2 || columns->strs_width() > 4)
    return fail("event column wider than its field");
  if (!timestamps &&
      (!trace_time_valid(columns->first_ns()) || !trace_time_valid(columns->last_ns())))
    return fail("event time out of range");

  out.resize(n);
  const Sources sources{timestamps, deltas, flags, strs, a, b, threads, columns->kinds()->data(),
                        columns->ops()->data(),
                        // A thread column (snapshots, shared batches) overrides `thread`.
                        columns->threads_width() == 0 ? thread : 0, columns->first_ns()};
  Event* events = out.data();
  if (timestamps)
    decode<true>(sources, events, n);
  else
    decode<false>(sources, events, n);
  if (timestamps) {
    for (size_t i = 0; i < n; ++i) {
      if (!trace_time_valid(events[i].ts_ns)) return fail("event time out of range");
      if (i > 0 && events[i].ts_ns < events[i - 1].ts_ns)
        return fail("snapshot timestamps out of order");
    }
  }
  if (n && events[n - 1].ts_ns != columns->last_ns())
    return fail("event time range does not match its events");
  return {};
}

}  // namespace taskscope::format
