// ABBA deadlock between two tasks on async mutexes.
//
// Two transfers between the same two accounts run at once, each locking its
// source account and then its destination: alice_to_bob holds "account alice"
// and waits for "account bob"; bob_to_alice holds "account bob" and waits for
// "account alice". Neither can ever run again.
//
// --twin: both transfers lock the accounts in one global order (by name).
#include <string>

#include "scenario.hpp"
#include "taskscope/rt/runtime.hpp"

using namespace std::chrono_literals;
namespace rt = taskscope::rt;

struct Account {
  std::string name;
  rt::Mutex lock;
  int balance = 100;
};

static rt::Task<> transfer(Account* from, Account* to, int amount, bool ordered) {
  Account* first = from;
  Account* second = to;
  if (ordered && second->name < first->name) std::swap(first, second);
  auto first_guard = co_await first->lock.lock();
  co_await rt::sleep_for(5ms);  // e.g. an audit call: long enough for the other transfer to start
  auto second_guard = co_await second->lock.lock();
  from->balance -= amount;
  to->balance += amount;
}

int main(int argc, char** argv) {
  const auto args = taskscope::scenarios::start(argc, argv);
  Account alice{"alice", rt::Mutex("account alice")};
  Account bob{"bob", rt::Mutex("account bob")};
  rt::Executor executor(2);
  auto a = executor.spawn("alice_to_bob", transfer, &alice, &bob, 10, args.twin);
  auto b = executor.spawn("bob_to_alice", transfer, &bob, &alice, 20, args.twin);
  const bool done =
      taskscope::scenarios::wait_until([&] { return a.finished() && b.finished(); }, 3s);
  if (!done) taskscope::scenarios::hung();
  return taskscope::scenarios::completed();
}
