// Session internals shared by session.cpp and process_hooks.cpp.
#pragma once

namespace taskscope::detail {

// Ends the running session, if any, writing `reason` into a flight dump.
// `at_exit`: give up (leaving the trace as the last round wrote it) rather than
// wait more than a few seconds for a thread stuck inside start/stop/dump.
void stop_session(const char* reason, bool at_exit) noexcept;

// pthread_atfork handlers: the child must not write into the parent's file.
void before_fork() noexcept;
void after_fork_in_parent() noexcept;
void after_fork_in_child() noexcept;

// Registers the exit and fork hooks (once per process).
void register_process_hooks() noexcept;

}  // namespace taskscope::detail
