#include "frame.hpp"

#include <string>

#include "taskscope/format/reader.hpp"

namespace taskscope::format {
namespace {

uint32_t fnv1a(const uint8_t* bytes, size_t size) {
  uint32_t hash = 2166136261u;
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 16777619u;
  }
  return hash;
}

void put32(uint8_t* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint32_t get32(const uint8_t* in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= static_cast<uint32_t>(in[i]) << (8 * i);
  return value;
}

}  // namespace

void encode_preamble(const Preamble& preamble, uint8_t* out) {
  std::memcpy(out, kMagic, 4);
  out[4] = static_cast<uint8_t>(preamble.type);
  out[5] = kPreambleVersion;
  out[6] = out[7] = 0;
  put32(out + 8, preamble.payload_size);
  put32(out + 12, preamble.raw_size);
  put32(out + 16, fnv1a(out, 16));
}

std::optional<Preamble> decode_preamble(const uint8_t* bytes) {
  if (std::memcmp(bytes, kMagic, 4) != 0) return std::nullopt;
  if (bytes[5] != kPreambleVersion || bytes[6] != 0 || bytes[7] != 0) return std::nullopt;
  if (get32(bytes + 16) != fnv1a(bytes, 16)) return std::nullopt;
  const uint8_t type = bytes[4];
  if (type < static_cast<uint8_t>(FrameType::kHeader) ||
      type > static_cast<uint8_t>(FrameType::kFooter))
    return std::nullopt;
  Preamble preamble{static_cast<FrameType>(type), get32(bytes + 8), get32(bytes + 12)};
  if (preamble.payload_size == 0 || preamble.payload_size > kMaxPayloadSize ||
      preamble.raw_size > kMaxRawSize)
    return std::nullopt;
  return preamble;
}

const char* frame_type_name(FrameType type) {
  switch (type) {
    case FrameType::kHeader: return "header";
    case FrameType::kStrings: return "strings";
    case FrameType::kEventBatch: return "event batch";
    case FrameType::kSnapshot: return "snapshot";
    case FrameType::kFooter: return "footer";
  }
  return "unknown";
}

TraceError::TraceError(const std::string& path, const std::string& reason)
    : std::runtime_error(path + ": " + reason), path_(path), reason_(reason) {}

std::string ReadStatus::summary() const {
  std::string text;
  if (truncated)
    text = "truncated after " + std::to_string(frames) + " complete frames (at offset " +
           std::to_string(truncated_at) + ")";
  if (!damage.empty()) {
    if (!text.empty()) text += "; ";
    text += std::to_string(damage.size()) + (damage.size() == 1 ? " corrupt frame" : " corrupt frames") +
            " skipped (first at offset " + std::to_string(damage.front().offset) + ": " +
            damage.front().reason + ")";
  }
  if (text.empty()) text = footer ? "complete" : "complete frames, no footer (recording not closed)";
  return text;
}

}  // namespace taskscope::format
