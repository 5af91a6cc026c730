// Contended taskscope::mutex acquisitions through std::lock_guard and
// std::unique_lock, and a condition-variable wait through std::unique_lock,
// built at -O0 and at -O2 (../CMakeLists.txt). Unoptimised, the std wrappers
// are functions of the program itself, so mutex::lock() returns into a
// libstdc++ header; every location the analyzer reports must still be a line
// of this file. Lines where a thread blocks are marked "blocks here", lines
// that create a thread "spawned here"; the test reads the marks from this
// source.
//
// The teller and the auditor first block on a lock main holds (so that what
// they hold later was taken on the contended path), then take a second lock
// in opposite orders and deadlock; the spender waits for a notification that
// was sent before it waited (a lost wakeup).
#include <latch>

#include "scenario.hpp"

namespace {

taskscope::mutex ledger("ledger");
taskscope::mutex audit("audit");
taskscope::mutex purse("purse");
taskscope::condition_variable funded("funded");
std::latch both_hold(2);
scenario::Blocker teller_first, teller_second, auditor_first, auditor_second, spender_waits;

void teller() {
  teller_first.arrive();
  std::lock_guard<taskscope::mutex> hold(ledger);  // blocks here
  both_hold.arrive_and_wait();
  teller_second.arrive();
  std::unique_lock<taskscope::mutex> also(audit);  // blocks here
}

void auditor() {
  auditor_first.arrive();
  std::unique_lock<taskscope::mutex> hold(audit);  // blocks here
  both_hold.arrive_and_wait();
  auditor_second.arrive();
  std::lock_guard<taskscope::mutex> also(ledger);  // blocks here
}

void spender() {
  std::unique_lock<taskscope::mutex> lock(purse);
  spender_waits.arrive();
  funded.wait(lock);  // blocks here
}

void fund() {
  std::lock_guard<taskscope::mutex> hold(purse);
  funded.notify_one();  // nobody waits yet: the notification is lost
}

// Until `blocker` has arrived and sleeps (scenario.hpp's rule, for one thread
// that will go on afterwards); exits 3 if it never does.
void wait_until_asleep(const scenario::Blocker& blocker) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (blocker.tid() == 0 || !scenario::asleep(blocker.tid())) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "lock_sites: a thread never blocked\n");
      std::_Exit(3);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

int main(int argc, char** argv) {
  scenario::start(argc, argv);
  ledger.lock();
  audit.lock();
  taskscope::thread t1("teller", teller);    // spawned here
  taskscope::thread t2("auditor", auditor);  // spawned here
  taskscope::thread funder("funder", fund);  // spawned here
  funder.join();
  taskscope::thread t3("spender", spender);  // spawned here
  wait_until_asleep(teller_first);
  wait_until_asleep(auditor_first);
  audit.unlock();
  ledger.unlock();
  scenario::stop_when_blocked({&teller_second, &auditor_second, &spender_waits});
}
