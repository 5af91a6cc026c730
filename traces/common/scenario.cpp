// Recording set-up and endings shared by the scenario programs (scenario.hpp).
#include "scenario.hpp"

#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "taskscope/events.hpp"
#include "taskscope/session.hpp"

namespace taskscope::scenarios {

Args start(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--twin") {
      args.twin = true;
    } else if (args.output.empty() && !arg.empty() && arg[0] != '-') {
      args.output = arg;
    } else {
      std::fprintf(stderr, "usage: %s OUTPUT.tscope [--twin]\n", argv[0]);
      std::exit(2);
    }
  }
  if (args.output.empty()) {
    std::fprintf(stderr, "usage: %s OUTPUT.tscope [--twin]\n", argv[0]);
    std::exit(2);
  }
  Config config;
  config.output = args.output;
  config.mode = Mode::kFlight;
  config.hang_timeout_ms = static_cast<uint64_t>(kHangTimeout.count());
  config.abort_on_hang = true;
  if (!taskscope::start(config)) {
    std::fprintf(stderr, "%s: cannot record to %s\n", argv[0], args.output.c_str());
    std::exit(2);
  }
  // Reports then say "spawned by main" rather than by the program's name.
  pthread_setname_np(pthread_self(), "main");
  set_thread_name("main");
  return args;
}

int completed() {
  taskscope::stop();
  return 0;
}

void hung() {
  taskscope::dump();
  std::_Exit(3);
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

}  // namespace taskscope::scenarios
