// JSON output through RapidJSON's Writer (private to the analyzer): the stream it
// writes to, and the few conversions our documents need on top of it.
#pragma once

#include "common/rapidjson.hpp"

#include <cmath>
#include <cstdint>
#include <ostream>
#include <string_view>
#include <type_traits>

namespace taskscope::analyzer {

// A RapidJSON output stream (Put/Flush) onto a std::ostream, through a buffer so
// that output of any size needs no memory. break_line() before each element of
// a long array keeps big files greppable: one element per line.
// Invariant: buffer_[0, used_) is written but not yet handed to out_.
class JsonStream {
 public:
  using Ch = char;

  explicit JsonStream(std::ostream& out) : out_(out) {}
  JsonStream(const JsonStream&) = delete;
  JsonStream& operator=(const JsonStream&) = delete;
  ~JsonStream() { Flush(); }

  void Put(char c) {
    if (used_ == sizeof buffer_) [[unlikely]]
      Flush();
    buffer_[used_++] = c;
  }
  void Flush() {
    out_.write(buffer_, static_cast<std::streamsize>(used_));
    used_ = 0;
  }
  // A line break, which is whitespace between any two tokens: before an element,
  // it starts the element's line (the comma that separates it comes first on it).
  void break_line() { Put('\n'); }

 private:
  std::ostream& out_;
  size_t used_ = 0;
  char buffer_[1 << 16];
};

using JsonWriter = rapidjson::Writer<JsonStream>;

// A string value or key. Trace names are arbitrary bytes: invalid UTF-8 is
// replaced by U+FFFD so that the output always parses (RFC 8259).
void json_string(JsonWriter& json, std::string_view text);
void json_key(JsonWriter& json, std::string_view name);
// `nanoseconds` / 1000 with exactly three decimals ("12.345"): trace-event
// timestamps in microseconds, without rounding error.
void json_micros(JsonWriter& json, int64_t nanoseconds);

// A value of any of the types our documents hold; a non-finite number is null.
template <typename T>
void json_value(JsonWriter& json, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    json.Bool(v);
  } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    json.Int64(v);
  } else if constexpr (std::is_integral_v<T>) {
    json.Uint64(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (std::isfinite(v))
      json.Double(static_cast<double>(v));
    else
      json.Null();
  } else {
    json_string(json, std::string_view(v));
  }
}

template <typename T>
void json_field(JsonWriter& json, std::string_view name, const T& v) {
  json_key(json, name);
  json_value(json, v);
}

}  // namespace taskscope::analyzer
