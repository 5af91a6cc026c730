// Human-readable units (see units.hpp).
#include "common/units.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace taskscope::analyzer::stats {
namespace {

// Three significant digits of `value` followed by `unit`.
std::string scaled(double value, const char* unit) {
  char buffer[48];
  const double magnitude = std::fabs(value);
  const int decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  std::snprintf(buffer, sizeof buffer, "%.*f %s", decimals, value, unit);
  return buffer;
}

}  // namespace

std::string format_duration(int64_t ns) {
  const double v = static_cast<double>(ns);
  const double magnitude = std::fabs(v);
  if (magnitude < 1e3) return std::to_string(ns) + " ns";
  if (magnitude < 1e6) return scaled(v / 1e3, "us");
  if (magnitude < 1e9) return scaled(v / 1e6, "ms");
  return scaled(v / 1e9, "s");
}

std::string format_bytes(int64_t bytes) {
  const double v = static_cast<double>(bytes);
  const double magnitude = std::fabs(v);
  if (magnitude < 1024) return std::to_string(bytes) + " B";
  if (magnitude < 1024.0 * 1024) return scaled(v / 1024, "KiB");
  if (magnitude < 1024.0 * 1024 * 1024) return scaled(v / (1024.0 * 1024), "MiB");
  return scaled(v / (1024.0 * 1024 * 1024), "GiB");
}

std::string format_count(uint64_t count) {
  std::string digits = std::to_string(count);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string printable(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    }
  }
  return out;
}

std::string format_percent(double fraction, bool sign) {
  char buffer[48];
  const double percent = fraction * 100;
  const int decimals = std::fabs(percent) >= 100 ? 0 : 1;
  std::snprintf(buffer, sizeof buffer, sign ? "%+.*f %%" : "%.*f %%", decimals, percent);
  return buffer;
}

}  // namespace taskscope::analyzer::stats
