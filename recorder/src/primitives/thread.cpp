// Start-up and join of taskscope::thread (see taskscope/thread.hpp).
#include "taskscope/thread.hpp"

namespace taskscope {

void thread::start(const ThreadName& name, AgentId child,
                   std::unique_ptr<detail::ThreadBody> body) {
  const AgentId parent = current_agent();
  // Recorded here, before the thread exists: its work happens after this point
  // of its creator's, however late it first gets the CPU.
  if (recording()) emit(EventKind::kThreadCreate, 0, child, 0, intern_location(name.location));
  // The name is copied: the caller's string may be gone before the thread runs.
  native_ = std::thread(
      [child, parent, name = std::string(name.name), body = std::move(body)]() mutable {
        adopt_thread_agent(child, parent, name);
        body->run();
        // Arguments (endpoints among them) are destroyed here, inside the thread's life.
        body.reset();
      });
  agent_ = child;
}

void thread::join(const std::source_location& loc) {
  // Not joinable: let std::thread report the error, with nothing recorded.
  if (!native_.joinable()) {
    native_.join();
    return;
  }
  const StringId where = recording() ? intern_location(loc) : 0;
  wait_begin(agent_, WaitOp::kJoin, 0, false, where);
  native_.join();
  wait_end(agent_, WaitOutcome::kCompleted);
}

}  // namespace taskscope
