// The full-screen view of `taskscope top` (ncurses; docs/top.md, "Keys").
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "taskscope/analyzer/live.hpp"

namespace taskscope::cli {

struct ScreenOptions {
  int64_t delay_ns = 1'000'000'000;
  int64_t frames = 0;  // 0: until q
  const std::atomic<bool>* stop = nullptr;  // set: quit as q does (a signal arrived)
};

// Draws a frame every delay (after `read_more` read what is new) until q, or
// until `frames` frames were drawn. Returns the exit status.
int run_screen(analyzer::LiveSession& session, const ScreenOptions& options,
               const std::function<void()>& read_more);

// What the screen shows, without the terminal: the sorting, filtering and
// selection rules (tests/top/screen_view_test.cpp).
struct ScreenView {
  size_t sort_column = 0;  // a column of analyzer::live_agent_rows()
  bool reverse = false;
  std::string filter;   // agents whose name contains it
  uint64_t selected = 0;  // agent id; 0: the first row
  // The frame's agents, filtered and sorted.
  std::vector<const analyzer::LiveAgent*> agents(const analyzer::LiveFrame& frame) const;
  // Lines about the selected agent: spawn chain, span stack, recent waits, holds.
  std::vector<std::string> details(const analyzer::LiveFrame& frame) const;
};

}  // namespace taskscope::cli
