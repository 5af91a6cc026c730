// A thread locks a non-recursive mutex it already owns.
#include "scenario.hpp"

int main(int argc, char** argv) {
  scenario::start(argc, argv);
  taskscope::mutex config("config");
  scenario::Blocker blocker;
  taskscope::thread worker("worker", [&] {
    std::lock_guard<taskscope::mutex> outer(config);
    blocker.arrive();
    std::lock_guard<taskscope::mutex> inner(config);  // never returns
  });
  scenario::stop_when_blocked({&blocker});
}
