// Conversion between events and the schema's column layout (EventColumns).
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <span>
#include <string>
#include <vector>

#include "taskscope/format/event.hpp"
#include "trace_generated.h"

namespace taskscope::format {

// Builds an EventColumns table. `events` must be in time order and span less than
// 2^32 ns between neighbours (the encoder splits batches to guarantee it).
// With `with_threads`, each event's `thread` is stored (snapshots, shared
// batches); with `absolute_times`, times are stored whole instead of as deltas
// (snapshots, whose events may lie far apart).
flatbuffers::Offset<fb::EventColumns> build_columns(flatbuffers::FlatBufferBuilder& builder,
                                                    std::span<const Event> events,
                                                    bool with_threads, bool absolute_times);

// Bytes that must be readable past the end of the buffer holding the table
// given to read_columns: packed values are read with 8-byte loads and masked.
inline constexpr size_t kColumnReadSlack = 8;

// Decodes a verified EventColumns table; `thread` fills events when the table has
// no thread column. Returns an error text (and `out` empty), or empty on success.
// `out` is overwritten in place: a recycled vector is not initialized again.
std::string read_columns(const fb::EventColumns* columns, uint64_t thread,
                         std::vector<Event>& out);

}  // namespace taskscope::format
