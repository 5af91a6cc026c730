// Two sibling threads created back to back take two locks in opposite orders;
// the second gets to run only after main has joined the first. No deadlock
// happens in this run, but one could: the second was created before the join,
// so nothing orders the two threads' lock orders (a lock-order inversion).
//
// The second thread is started the way a runtime with its own threads does it
// (taskscope/events.hpp): its creator records the creation, the thread binds
// the agent id it was given with adopt_thread_agent when it first runs. Here it
// first waits, unrecorded, until main has joined the first thread: a thread
// that the scheduler started late, made certain.
#include <latch>
#include <source_location>
#include <thread>

#include "scenario.hpp"

int main(int argc, char** argv) {
  scenario::start(argc, argv);
  taskscope::mutex a("ledger"), b("audit log");
  const taskscope::AgentId main_agent = taskscope::current_agent();
  std::latch first_joined(1);

  taskscope::thread first("first", [&] {
    std::lock_guard<taskscope::mutex> hold(a);
    std::lock_guard<taskscope::mutex> also(b);
  });
  const taskscope::AgentId second_agent = taskscope::new_agent_id();
  taskscope::emit(taskscope::EventKind::kThreadCreate, 0, second_agent, 0,
                  taskscope::intern_location(std::source_location::current()));
  std::thread second([&] {
    first_joined.wait();
    taskscope::adopt_thread_agent(second_agent, main_agent, "second");
    std::lock_guard<taskscope::mutex> hold(b);
    std::lock_guard<taskscope::mutex> also(a);
  });
  first.join();
  first_joined.count_down();
  second.join();
  taskscope::stop();
  return 0;
}
