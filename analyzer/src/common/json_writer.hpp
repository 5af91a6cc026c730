// A small streaming JSON writer (private to the analyzer).
#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

namespace taskscope::analyzer::stats {

// Writes JSON text straight to a stream, so output of any size needs no memory.
// Invariant: `need_comma_` has one entry per open object/array, true once that
// container holds an element. Strings are escaped per RFC 8259 and invalid UTF-8
// (trace names are arbitrary bytes) is replaced by U+FFFD, so the output always
// parses. Non-finite numbers are written as null.
class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(int64_t number);
  JsonWriter& value(uint64_t number);
  JsonWriter& value(int number) { return value(static_cast<int64_t>(number)); }
  JsonWriter& value(double number);
  JsonWriter& value(bool flag);
  JsonWriter& null();
  // Writes `number` / 1000 with exactly three decimals ("12.345"): trace-event
  // timestamps in microseconds from nanoseconds, without rounding error.
  JsonWriter& micros(int64_t nanoseconds);
  // A line break between elements (insignificant whitespace) to keep big files greppable.
  JsonWriter& newline();

  template <typename T>
  JsonWriter& field(std::string_view name, T&& v) {
    key(name);
    return value(std::forward<T>(v));
  }

 private:
  void before_value();

  std::ostream& out_;
  std::vector<bool> need_comma_;
  bool after_key_ = false;
};

// Writes `text` as a quoted, escaped JSON string.
void write_json_string(std::ostream& out, std::string_view text);

}  // namespace taskscope::analyzer::stats
