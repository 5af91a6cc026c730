// Helpers of the preload tests: run the CLI on the test programs (always
// bounded in time), read traces back, pick findings out of JSON reports.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "taskscope/format/event.hpp"

namespace taskscope::preload_test {

struct RunResult {
  int status = -1;  // exit status (128 + signal when killed)
  std::string out;
  std::string err;
};

// Runs `command` through /bin/sh with `input` on stdin, killed after 90 s.
RunResult run_shell(const std::string& command, const std::string& input = "");

// Single-quotes `text` for the shell.
std::string quote(const std::string& text);
// Numbers of the lines of programs/`source` (beside this file) that contain
// `marker`, e.g. "// taken here": where a report's locations must point.
std::set<int> marked_lines(const std::string& source, const std::string& marker);
// Path of a test program built from tests/preload/programs.
std::string program(const std::string& name);
// A fresh file path in this test process's scratch directory.
std::string scratch_path(const std::string& name);

// `taskscope record -o <trace> <options> -- <program> <args>`.
struct Recording {
  RunResult run;
  std::string trace;
};
Recording record(const std::string& program_name, const std::string& options,
                 const std::string& args = "", const std::string& input = "");
// Options for a program expected to hang: short watchdog, bounded run.
inline const char* kHangOptions = "--hang-timeout 400ms --timeout 20s";
// Options for a program expected to finish.
inline const char* kFinishOptions = "--timeout 20s";

// `taskscope analyze <trace> --format json <options>`.
RunResult analyze_json(const std::string& trace, const std::string& options = "");
// The "kind" of every finding in a report, in order.
std::vector<std::string> finding_kinds(const std::string& json);

// All events of a trace (snapshot events included) and its string table.
struct Trace {
  std::vector<format::Event> events;
  std::map<uint32_t, std::string> strings;
  std::string reason;
  std::string holds;  // the header's: "needed" or "all"
  bool closed = false;  // read cleanly up to its footer
  const std::string& text(uint32_t id) const;
  std::vector<format::Event> of_kind(format::EventKind kind) const;
};
Trace read_trace(const std::string& path);

}  // namespace taskscope::preload_test
