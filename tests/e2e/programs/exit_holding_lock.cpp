// The loader takes a lock and exits without releasing it; the reader then
// waits for that lock forever.
#include "scenario.hpp"

int main(int argc, char** argv) {
  scenario::start(argc, argv);
  taskscope::mutex db("db");
  taskscope::thread loader("loader", [&] { db.lock(); });  // returns holding it
  loader.join();
  scenario::Blocker blocker;
  taskscope::thread reader("reader", [&] {
    blocker.arrive();
    std::lock_guard<taskscope::mutex> hold(db);  // never returns
  });
  scenario::stop_when_blocked({&blocker});
}
