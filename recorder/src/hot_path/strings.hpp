// The process-wide string table: names and source locations interned once and
// written into the trace as string frames.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "taskscope/format/trace.hpp"

namespace taskscope::detail {

// Ids are dense and start at 1 (0 = no string), and an id's text never changes,
// so the flusher can write "everything from id N on" each round and a new session
// (or a flight-recorder dump) can rewrite the whole table. Never destroyed:
// threads may intern during static destruction.
class StringTable {
 public:
  static StringTable& instance() noexcept;

  uint32_t intern(std::string_view text);
  // Appends the entries with id >= `from` to `out`; returns the next unused id.
  uint32_t collect(uint32_t from, std::vector<format::StringEntry>& out);

  void lock_for_fork() noexcept { mutex_.lock(); }
  void unlock_after_fork() noexcept { mutex_.unlock(); }

 private:
  std::mutex mutex_;
  std::deque<std::string> texts_;  // id - 1 -> text; a deque keeps the keys' storage stable
  std::unordered_map<std::string_view, uint32_t> ids_;
};

}  // namespace taskscope::detail
