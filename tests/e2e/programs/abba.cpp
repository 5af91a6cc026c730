// Two threads take two locks in opposite orders and deadlock (ABBA).
#include <latch>

#include "scenario.hpp"

int main(int argc, char** argv) {
  scenario::start(argc, argv);
  taskscope::mutex a("account-a"), b("account-b");
  std::latch both_hold_one(2);
  scenario::Blocker first, second;
  auto transfer = [&](taskscope::mutex& from, taskscope::mutex& to, scenario::Blocker& me) {
    std::lock_guard<taskscope::mutex> hold(from);
    both_hold_one.arrive_and_wait();
    me.arrive();
    std::lock_guard<taskscope::mutex> also(to);  // never returns
  };
  taskscope::thread t1("transfer", transfer, std::ref(a), std::ref(b), std::ref(first));
  taskscope::thread t2("transfer", transfer, std::ref(b), std::ref(a), std::ref(second));
  scenario::stop_when_blocked({&first, &second});
}
