// The producer notifies before anyone waits and exits; the consumer then waits
// on the condition variable without a predicate and is never woken.
#include "scenario.hpp"

int main(int argc, char** argv) {
  scenario::start(argc, argv);
  taskscope::mutex m("queue-lock");
  taskscope::condition_variable ready("ready");
  taskscope::thread producer("producer", [&] {
    std::lock_guard<taskscope::mutex> hold(m);
    ready.notify_one();  // nobody waits yet: the notification is lost
  });
  producer.join();
  scenario::Blocker waiter;
  taskscope::thread consumer("consumer", [&] {
    std::unique_lock<taskscope::mutex> hold(m);
    waiter.arrive();
    ready.wait(hold);  // no predicate: waits forever
  });
  scenario::stop_when_blocked({&waiter});
}
