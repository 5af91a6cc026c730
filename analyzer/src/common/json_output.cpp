// JSON output through RapidJSON (see json_output.hpp).
#include "common/json_output.hpp"

#include <charconv>
#include <string>

namespace taskscope::analyzer {
namespace {

// Length of the valid UTF-8 sequence at text[i], or 0 if it is not valid
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
size_t utf8_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  size_t length = 0;
  uint32_t code = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    length = 2;
    code = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    length = 3;
    code = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    length = 4;
    code = c & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

// Index of the first byte that does not start a valid UTF-8 sequence, or npos.
size_t first_invalid(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t length = utf8_length(text, i);
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

// `text` with each invalid byte from `from` on replaced by U+FFFD.
std::string repaired(std::string_view text, size_t from) {
  std::string out(text.substr(0, from));
  for (size_t i = from; i < text.size();) {
    const size_t length = utf8_length(text, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

void write_string(JsonWriter& json, std::string_view text, bool key) {
  const size_t bad = first_invalid(text);
  std::string fixed;
  if (bad != std::string_view::npos) {
    fixed = repaired(text, bad);
    text = fixed;
  }
  const auto length = static_cast<rapidjson::SizeType>(text.size());
  if (key)
    json.Key(text.data(), length);
  else
    json.String(text.data(), length);
}

}  // namespace

void json_string(JsonWriter& json, std::string_view text) { write_string(json, text, false); }

void json_key(JsonWriter& json, std::string_view name) { write_string(json, name, true); }

void json_micros(JsonWriter& json, int64_t nanoseconds) {
  char buffer[32];
  char* p = buffer;
  // The magnitude as unsigned, so that INT64_MIN has one too.
  uint64_t magnitude = static_cast<uint64_t>(nanoseconds);
  if (nanoseconds < 0) {
    *p++ = '-';
    magnitude = 0 - magnitude;
  }
  p = std::to_chars(p, buffer + sizeof buffer, magnitude / 1000).ptr;
  const auto fraction = static_cast<unsigned>(magnitude % 1000);
  *p++ = '.';
  *p++ = static_cast<char>('0' + fraction / 100);
  *p++ = static_cast<char>('0' + fraction / 10 % 10);
  *p++ = static_cast<char>('0' + fraction % 10);
  json.RawValue(buffer, static_cast<size_t>(p - buffer), rapidjson::kNumberType);
}

}  // namespace taskscope::analyzer
