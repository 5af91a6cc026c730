// Three pipeline stages in a ring of bounded channels (capacity 1). Each stage
// sends two items downstream before it receives anything: the first fills the
// next stage's inbox, the second blocks, and every stage waits for room that only
// the next stage — itself blocked sending — could make.
#include <latch>

#include "scenario.hpp"

using Tx = taskscope::Sender<int>;
using Rx = taskscope::Receiver<int>;

int main(int argc, char** argv) {
  scenario::start(argc, argv);
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
  // Endpoints are moved into the threads, so each is handed to its stage.
  taskscope::thread a("stage-a", stage, 0, std::move(to_b), std::move(a_inbox));
  taskscope::thread b("stage-b", stage, 1, std::move(to_c), std::move(b_inbox));
  taskscope::thread c("stage-c", stage, 2, std::move(to_a), std::move(c_inbox));
  scenario::stop_when_blocked({&blockers[0], &blockers[1], &blockers[2]});
}
