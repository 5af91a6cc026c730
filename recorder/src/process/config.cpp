// Session configuration from TASKSCOPE_* environment variables, so that
// `taskscope record`, CI scripts and users can drive a program that never calls
// start() itself.
#include <sys/auxv.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "process/secure_execution.hpp"
#include "taskscope/session.hpp"

namespace taskscope {
namespace detail {
namespace {
constinit std::atomic<int> g_secure_override{-1};
}  // namespace

bool secure_execution() noexcept {
  const int secure = g_secure_override.load(std::memory_order_relaxed);
  return secure >= 0 ? secure != 0 : ::getauxval(AT_SECURE) != 0;
}

void set_secure_execution_for_testing(int secure) noexcept {
  g_secure_override.store(secure, std::memory_order_relaxed);
}

}  // namespace detail

namespace {

std::optional<std::string_view> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || value[0] == '\0') return std::nullopt;
  return std::string_view(value);
}

void warn(const char* name, std::string_view value) {
  std::fprintf(stderr, "taskscope: ignoring %s=%.*s (invalid value)\n", name,
               static_cast<int>(value.size()), value.data());
}

// Splits "12.5ms" into 12.5 and "ms". False when there is no number.
bool split_number(std::string_view text, double* number, std::string_view* unit) {
  std::string owned(text);
  char* end = nullptr;
  *number = std::strtod(owned.c_str(), &end);
  if (end == owned.c_str() || !std::isfinite(*number) || *number < 0) return false;
  *unit = text.substr(static_cast<size_t>(end - owned.c_str()));
  return true;
}

// "64M", "512K", "1G", "64MiB", "64MB", "4096" (bytes). Binary multiples.
std::optional<uint64_t> parse_size(std::string_view text) {
  double number = 0;
  std::string_view unit;
  if (!split_number(text, &number, &unit)) return std::nullopt;
  double scale = 0;
  if (unit.empty() || unit == "B" || unit == "b") {
    scale = 1;
  } else {
    const std::string_view suffix = unit.substr(1);
    if (!(suffix.empty() || suffix == "B" || suffix == "iB")) return std::nullopt;
    switch (unit[0]) {
      case 'k':
      case 'K':
        scale = 1024.0;
        break;
      case 'm':
      case 'M':
        scale = 1024.0 * 1024;
        break;
      case 'g':
      case 'G':
        scale = 1024.0 * 1024 * 1024;
        break;
      default:
        return std::nullopt;
    }
  }
  return static_cast<uint64_t>(number * scale);
}

// "2s", "500ms", "1.5s", "100us", "2m", "1h"; a bare number means milliseconds.
std::optional<uint64_t> parse_duration_ms(std::string_view text) {
  double number = 0;
  std::string_view unit;
  if (!split_number(text, &number, &unit)) return std::nullopt;
  double scale_ms = 0;
  if (unit.empty() || unit == "ms")
    scale_ms = 1;
  else if (unit == "s")
    scale_ms = 1000;
  else if (unit == "m" || unit == "min")
    scale_ms = 60'000;
  else if (unit == "h")
    scale_ms = 3'600'000;
  else if (unit == "us")
    scale_ms = 0.001;
  else if (unit == "ns")
    scale_ms = 0.000001;
  else
    return std::nullopt;
  const double ms = number * scale_ms;
  // A positive timeout below 1 ms still means "on".
  return ms > 0 && ms < 1 ? 1 : static_cast<uint64_t>(ms);
}

std::optional<bool> parse_flag(std::string_view text) {
  if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text == "0" || text == "false" || text == "no" || text == "off") return false;
  return std::nullopt;
}

// TASKSCOPE_ON_FULL: what a thread does when its ring and the spill budget are
// full. "block" waits for the flusher (Config::lossless), "drop" counts a loss.
std::optional<bool> parse_on_full(std::string_view text) {
  if (text == "block") return true;
  if (text == "drop") return false;
  return std::nullopt;
}

// TASKSCOPE_HOLDS: "all" records every lock hold (Config::every_hold); "needed"
// keeps an uncontended plain mutex's hold out of the trace while it tells the
// analyzer nothing (docs/architecture.md, "Uncontended locks").
std::optional<bool> parse_holds(std::string_view text) {
  if (text == "all") return true;
  if (text == "needed") return false;
  return std::nullopt;
}

std::optional<int> parse_int(std::string_view text) {
  std::string owned(text);
  char* end = nullptr;
  const long value = std::strtol(owned.c_str(), &end, 10);
  if (end == owned.c_str() || *end != '\0' || value < 0 || value > 64) return std::nullopt;
  return static_cast<int>(value);
}

// "0600", "640": permission bits in octal. The owner must keep read and write
// (the recorder rewrites its own file), and nothing beyond rwx for all.
std::optional<unsigned> parse_file_mode(std::string_view text) {
  std::string owned(text);
  char* end = nullptr;
  const unsigned long value = std::strtoul(owned.c_str(), &end, 8);
  if (end == owned.c_str() || *end != '\0' || owned[0] == '-' || value > 0777 ||
      (value & 0600) != 0600)
    return std::nullopt;
  return static_cast<unsigned>(value);
}

template <class T, class Parser>
void apply(const char* name, Parser parse, T* field) {
  const auto text = env(name);
  if (!text) return;
  if (const auto value = parse(*text)) {
    *field = static_cast<T>(*value);
  } else {
    warn(name, *text);
  }
}

}  // namespace

Config config_from_environment(Config base) {
  if (detail::secure_execution()) return base;
  if (const auto output = env("TASKSCOPE_OUTPUT")) base.output = std::string(*output);
  if (const auto mode = env("TASKSCOPE_MODE")) {
    if (*mode == "stream")
      base.mode = Mode::kStream;
    else if (*mode == "flight")
      base.mode = Mode::kFlight;
    else
      warn("TASKSCOPE_MODE", *mode);
  }
  apply("TASKSCOPE_BUFFER", parse_size, &base.flight_bytes);
  apply("TASKSCOPE_RING", parse_size, &base.ring_bytes);
  apply("TASKSCOPE_SPILL", parse_size, &base.spill_bytes);
  apply("TASKSCOPE_HANG_TIMEOUT", parse_duration_ms, &base.hang_timeout_ms);
  apply("TASKSCOPE_ABORT_ON_HANG", parse_flag, &base.abort_on_hang);
  apply("TASKSCOPE_SIGNAL", parse_int, &base.dump_signal);
  apply("TASKSCOPE_LOSSLESS", parse_flag, &base.lossless);
  apply("TASKSCOPE_ON_FULL", parse_on_full, &base.lossless);
  apply("TASKSCOPE_HOLDS", parse_holds, &base.every_hold);
  apply("TASKSCOPE_FILE_MODE", parse_file_mode, &base.file_mode);
  apply("TASKSCOPE_FLUSH_INTERVAL", parse_duration_ms, &base.flush_interval_ms);
  return base;
}

}  // namespace taskscope
