// main joins a worker that waits forever for a lock whose owner exited: main is
// stuck too, on a thread that is stuck outside any cycle. A plain std::thread
// (not recorded) stops the recording once both sleep.
#include <thread>

#include "scenario.hpp"

int main(int argc, char** argv) {
  scenario::start(argc, argv);
  taskscope::mutex db("db");
  taskscope::thread loader("loader", [&] { db.lock(); });  // returns holding it
  loader.join();
  scenario::Blocker worker_blocked, main_blocked;
  taskscope::thread worker("worker", [&] {
    worker_blocked.arrive();
    std::lock_guard<taskscope::mutex> hold(db);  // never returns
  });
  std::thread watcher([&] { scenario::stop_when_blocked({&worker_blocked, &main_blocked}); });
  watcher.detach();
  main_blocked.arrive();
  worker.join();  // never returns
}
