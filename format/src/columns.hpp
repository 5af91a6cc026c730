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
// With `with_threads`, each event's `thread` is stored (snapshots).
flatbuffers::Offset<fb::EventColumns> build_columns(flatbuffers::FlatBufferBuilder& builder,
                                                    std::span<const Event> events,
                                                    bool with_threads);

// Decodes a verified EventColumns table; `thread` fills events when the table has
// no thread column. Returns an error text, or empty on success.
std::string read_columns(const fb::EventColumns* columns, uint64_t thread,
                         std::vector<Event>& out);

}  // namespace taskscope::format
