#include "output/state_mirror.hpp"

namespace taskscope::detail {

StateMirror::StateMirror() { replay_.state().remember_destroyed_names = 0; }

void StateMirror::apply(uint64_t thread, const format::Event& event) {
  // The ring implies the recording thread; replay reads it from the record.
  format::Event recorded = event;
  recorded.thread = thread;
  replay_.apply(recorded);
}

size_t StateMirror::blocked_waits() const {
  size_t blocked = 0;
  replay_.state().agents.for_each([&](const model::Agent& agent) {
    if (!agent.waiting || agent.wait.timed) return;
    if (agent.wait.op == format::WaitOp::kIo || agent.wait.op == format::WaitOp::kSleep) return;
    ++blocked;
  });
  return blocked;
}

}  // namespace taskscope::detail
