// What every scenario program in traces/ shares: its command line, how it
// records itself, and how it ends whether or not its bug made it hang.
//
//   scenario OUTPUT.tscope [--twin]
//
// `--twin` runs the correct variant of the same program. Both record with the
// flight recorder and the hang watchdog, exactly as a user would run a service
// that might hang: the buggy variant gets stuck, the watchdog notices that no
// agent progressed for kHangTimeout while some are blocked, dumps the window to
// OUTPUT and ends the process. Bugs the watchdog cannot see (nobody is in a
// blocking wait: a lost waker, a read that never returns) are caught by the
// program's own deadline, which dumps just the same.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace taskscope::scenarios {

using namespace std::chrono_literals;

// Long enough that a correct run never looks hung on a loaded machine, short
// enough that regenerating every trace takes seconds.
inline constexpr std::chrono::milliseconds kHangTimeout = 400ms;

struct Args {
  std::string output;
  bool twin = false;
};

// Parses the command line (exits with status 2 on misuse) and starts recording.
Args start(int argc, char** argv);

// The program finished: closes the trace. Returns the exit status (0).
int completed();

// The program is stuck and the watchdog did not end it: dumps the flight
// window to the output and exits with status 3, without running destructors of
// the stuck program's objects.
[[noreturn]] void hung();

// Waits (without recording anything) until `done()` or `deadline` passes.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline);

}  // namespace taskscope::scenarios
