// The frame preamble: 20 little-endian bytes in front of every zstd frame.
//
//   0  magic "TSCP"          8  payload (compressed) size
//   4  frame type           12  raw (decompressed) size
//   5  preamble version      16  FNV-1a of bytes 0..15
//   6  reserved (0)
//
// The check word lets the reader tell a real preamble from noise when it
// resynchronises after damage, and refuse absurd sizes before allocating.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>

#include "taskscope/format/trace.hpp"

namespace taskscope::format {

inline constexpr size_t kPreambleSize = 20;
inline constexpr uint8_t kMagic[4] = {'T', 'S', 'C', 'P'};
inline constexpr uint8_t kPreambleVersion = 1;
// No frame the recorder writes comes near these; larger values mean damage.
inline constexpr uint32_t kMaxPayloadSize = 64u << 20;
inline constexpr uint32_t kMaxRawSize = 256u << 20;

struct Preamble {
  FrameType type{};
  uint32_t payload_size = 0;
  uint32_t raw_size = 0;
};

void encode_preamble(const Preamble& preamble, uint8_t* out);
// Returns the preamble if the bytes are a well-formed one (magic, version,
// check word, known type, sizes within bounds).
std::optional<Preamble> decode_preamble(const uint8_t* bytes);

}  // namespace taskscope::format
