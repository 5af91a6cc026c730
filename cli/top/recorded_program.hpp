// `taskscope top -- COMMAND`: the program runs under `taskscope record` (this
// same executable, so it is recorded exactly as `record` records it), in stream
// mode, into a trace that top follows (docs/top.md).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace taskscope::cli {

struct RecordSettings {
  std::string output;  // empty: ./taskscope-top-<top's pid>.tscope
  std::string buffer, hang_timeout, timeout;
  std::vector<std::string> command;
  // The program's stdout and stderr go to "<trace>.log" (the screen is top's),
  // else both to top's stderr (batch mode: stdout carries the frames).
  bool log_output = false;
};

class RecordedProgram {
 public:
  // Starts `taskscope record` in its own process group. Throws UsageError when
  // it cannot start.
  explicit RecordedProgram(const RecordSettings& settings);
  ~RecordedProgram();  // ends the program if it still runs
  RecordedProgram(const RecordedProgram&) = delete;
  RecordedProgram& operator=(const RecordedProgram&) = delete;

  const std::string& trace() const { return trace_; }
  std::string log() const { return trace_ + ".log"; }
  // False once record has exited (its trace is then complete).
  bool running();
  // Ends the program (SIGINT to its process group; record closes the trace)
  // and waits for record.
  void stop();
  // record's exit status (the program's, as record reports it); -1 while running.
  int exit_status() const { return exit_status_; }

 private:
  pid_t pid_ = -1;
  std::string trace_;
  int exit_status_ = -1;
};

}  // namespace taskscope::cli
