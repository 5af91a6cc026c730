// A program that is stuck but still running: three pipeline stages in a ring of
// full bounded channels (each sends twice before it receives: the second send
// never finds room), and a worker thread that keeps working.
//   stuck_ring N    the worker works N rounds once the stages are stuck, then the
//                   program exits (the recorder closes the trace at exit)
//   stuck_ring 0    the worker works until the program is killed
//   stuck_ring -1   the worker stops once the stages are stuck and main waits
//                   for stage-a forever: every thread is blocked
// It records to TASKSCOPE_OUTPUT: the recorder starts itself from the
// environment (`taskscope record` and `taskscope top --` set it).
#include <climits>
#include <cstdlib>
#include <latch>

#include "scenario.hpp"

using Tx = taskscope::Sender<int>;
using Rx = taskscope::Receiver<int>;

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? std::atol(argv[1]) : 0;
  taskscope::set_thread_name("main");
  auto [to_b, b_inbox] = taskscope::make_channel<int>(1, "to-b");
  auto [to_c, c_inbox] = taskscope::make_channel<int>(1, "to-c");
  auto [to_a, a_inbox] = taskscope::make_channel<int>(1, "to-a");
  std::latch all_sent_once(3);
  scenario::Blocker blockers[3];
  auto stage = [&](int index, Tx out, Rx in) {
    out.send(1);
    all_sent_once.arrive_and_wait();
    blockers[index].arrive();
    out.send(2);  // never returns: the next stage's inbox is full
    in.recv();
  };
  taskscope::thread a("stage-a", stage, 0, std::move(to_b), std::move(a_inbox));
  taskscope::thread b("stage-b", stage, 1, std::move(to_c), std::move(b_inbox));
  taskscope::thread c("stage-c", stage, 2, std::move(to_a), std::move(c_inbox));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (const scenario::Blocker& blocker : blockers)
    while (blocker.tid() == 0 || !scenario::asleep(blocker.tid())) {
      if (std::chrono::steady_clock::now() > deadline) return 3;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

  taskscope::mutex work_lock("work");
  const long worker_rounds = rounds > 0 ? rounds : rounds == 0 ? LONG_MAX : 1;
  taskscope::thread worker("worker", [&] {
    for (long i = 0; i < worker_rounds; ++i) {
      { std::lock_guard<taskscope::mutex> hold(work_lock); }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  worker.join();
  if (rounds > 0) std::exit(0);  // the stages stay stuck; exit closes the trace
  a.join();                      // forever
}
