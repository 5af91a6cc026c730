// The ncurses screen of `taskscope top`: header, agents table, the selected
// agent's details, resources and warnings; keys as docs/top.md lists them.
#include <curses.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "taskscope/analyzer/names.hpp"
#include "top/screen.hpp"

namespace taskscope::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kColumns = 9;  // of analyzer::live_agent_rows()

// Ends curses mode however run_screen leaves.
struct Terminal {
  Terminal() {
    initscr();
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
    timeout(100);  // getch() waits at most this long (ms)
  }
  ~Terminal() { endwin(); }
};

void put(int row, const std::string& text, int attributes = A_NORMAL) {
  if (row >= LINES) return;
  attron(attributes);
  mvaddnstr(row, 0, text.c_str(), COLS);
  attroff(attributes);
}

// The table's lines, padded to column widths; row 0 is the header.
std::vector<std::string> table_lines(const std::vector<const analyzer::LiveAgent*>& agents,
                                     const ScreenView& view) {
  analyzer::LiveFrame shown;
  for (const analyzer::LiveAgent* agent : agents) shown.agents.push_back(*agent);
  auto rows = analyzer::live_agent_rows(shown);
  rows[0][view.sort_column] += view.reverse ? "^" : "v";  // the sort column
  // Long names (a start routine's signature) would push the other columns off
  // the screen: the name, state and wait site are cut to a width, marked "~".
  for (auto& row : rows)
    for (const auto& [column, width] : {std::pair<size_t, size_t>{0, 24}, {2, 48}, {4, 44}})
      if (row[column].size() > width) row[column] = row[column].substr(0, width - 1) + "~";
  std::vector<size_t> widths(kColumns, 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  std::vector<std::string> lines;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - row[c].size() + 2, ' ');
    }
    lines.push_back(line);
  }
  return lines;
}

void draw(const analyzer::LiveFrame& frame, ScreenView& view, const std::string& prompt) {
  erase();
  int row = 0;
  put(row++, "taskscope top: " + frame.program + " (pid " + std::to_string(frame.pid) + "), " +
                 frame.status + "   elapsed " + analyzer::Names::duration(frame.elapsed_ns) +
                 "   events " + analyzer::Names::count(frame.events) + " (" +
                 std::to_string(static_cast<long long>(frame.events_per_s)) + "/s)   dropped " +
                 analyzer::Names::count(frame.dropped_events),
      A_BOLD);
  std::string counts = "threads:";
  for (const auto& [state, n] : frame.threads_by_state)
    counts += " " + std::to_string(n) + " " + state;
  if (frame.threads_by_state.empty()) counts += " 0";
  counts += "   tasks:";
  for (const auto& [state, n] : frame.tasks_by_state) counts += " " + std::to_string(n) + " " + state;
  if (frame.tasks_by_state.empty()) counts += " 0";
  put(row++, counts);
  put(row++, "q quit  up/down select  </> sort column  r reverse  / filter" +
                 (view.filter.empty() ? std::string() : "  [filter: " + view.filter + "]"));
  ++row;

  const auto agents = view.agents(frame);
  if (view.selected == 0 && !agents.empty()) view.selected = agents.front()->ref.id;
  size_t selected = 0;
  for (size_t i = 0; i < agents.size(); ++i)
    if (agents[i]->ref.id == view.selected) selected = i;
  const auto lines = table_lines(agents, view);
  put(row++, lines[0], A_REVERSE);
  // The table gets half the screen; it scrolls to keep the selection in view.
  const int room = std::max(3, LINES / 2 - row);
  const size_t first = selected >= static_cast<size_t>(room) ? selected - room + 1 : 0;
  for (size_t i = first; i < agents.size() && i < first + static_cast<size_t>(room); ++i)
    put(row++, lines[i + 1], i == selected ? A_STANDOUT : A_NORMAL);
  ++row;

  for (const std::string& line : view.details(frame)) put(row++, line);
  ++row;
  if (!frame.locks.empty() || !frame.channels.empty()) put(row++, "RESOURCES", A_BOLD);
  for (const analyzer::LiveLock& lock : frame.locks) {
    std::string line = "  " + lock.ref.type + " " + lock.ref.name + "  owner " +
                       (lock.ref.owner ? lock.ref.owner->name : "-");
    if (!lock.waiters.empty()) {
      line += "  waiters:";
      for (const std::string& waiter : lock.waiters) line += " " + waiter;
    }
    put(row++, line);
  }
  for (const analyzer::LiveChannel& channel : frame.channels) {
    const auto& state = channel.ref.channel;
    std::string depth = state && state->depth_known ? std::to_string(state->depth) : "?";
    std::string capacity = state && state->capacity ? std::to_string(state->capacity) : "unbounded";
    char change[32];
    std::snprintf(change, sizeof change, "%+.1f/s", channel.depth_per_s);
    put(row++, "  channel " + channel.ref.name + "  " + depth + "/" + capacity + "  " + change);
  }
  put(row++, "WARNINGS", A_BOLD);
  if (frame.warnings.empty()) put(row++, "  none");
  for (const analyzer::Finding& finding : frame.warnings) {
    std::string agents_line;
    for (const analyzer::AgentRef& agent : finding.agents)
      agents_line += (agents_line.empty() ? "" : ", ") + agent.name;
    put(row++, "  " + std::string(analyzer::finding_kind_name(finding.kind)) + ": " +
                   finding.summary,
        finding.severity == analyzer::Severity::kError ? A_BOLD : A_NORMAL);
    if (!agents_line.empty()) put(row++, "    agents: " + agents_line);
  }
  if (!prompt.empty()) put(LINES - 1, prompt, A_REVERSE);
  refresh();
}

// A key typed at the "/" prompt; returns whether the prompt stays open.
bool edit_filter(int key, std::string& typed, ScreenView& view) {
  if (key == '\n' || key == KEY_ENTER) {
    view.filter = typed;
    return false;
  }
  if (key == 27) return false;  // Esc
  if (key == KEY_BACKSPACE || key == 127 || key == 8) {
    if (!typed.empty()) typed.pop_back();
  } else if (key >= 32 && key < 127) {
    typed += static_cast<char>(key);
  }
  return true;
}

// Sorting and selection keys.
void navigate(int key, const analyzer::LiveFrame& frame, ScreenView& view) {
  if (key == '<' || key == '>') {
    view.sort_column = (view.sort_column + (key == '>' ? 1 : kColumns - 1)) % kColumns;
  } else if (key == 'r') {
    view.reverse = !view.reverse;
  } else if (key == KEY_UP || key == KEY_DOWN) {
    const auto agents = view.agents(frame);
    for (size_t i = 0; i < agents.size(); ++i) {
      if (agents[i]->ref.id != view.selected) continue;
      if (key == KEY_UP && i > 0) view.selected = agents[i - 1]->ref.id;
      if (key == KEY_DOWN && i + 1 < agents.size()) view.selected = agents[i + 1]->ref.id;
      break;
    }
  }
}

}  // namespace

int run_screen(analyzer::LiveSession& session, const ScreenOptions& options,
               const std::function<void()>& read_more) {
  Terminal terminal;
  ScreenView view;
  read_more();
  analyzer::LiveFrame frame = session.frame();
  int64_t frames = 1;
  auto next = Clock::now() + std::chrono::nanoseconds(options.delay_ns);
  bool filtering = false;
  std::string typed;
  for (;;) {
    draw(frame, view, filtering ? "/" + typed : "");
    if (options.frames > 0 && frames >= options.frames) break;
    const int key = getch();
    if (options.stop != nullptr && options.stop->load()) break;
    if (filtering) {
      filtering = edit_filter(key, typed, view);
    } else if (key == 'q' || key == 'Q') {
      break;
    } else if (key == '/') {
      filtering = true;
      typed = view.filter;
    } else {
      navigate(key, frame, view);
    }
    // Once the trace has ended, its final state stays until q.
    if (Clock::now() >= next && !frame.ended) {
      read_more();
      frame = session.frame();
      ++frames;
      next = Clock::now() + std::chrono::nanoseconds(options.delay_ns);
    }
  }
  return 0;
}

}  // namespace taskscope::cli
