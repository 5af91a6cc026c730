// Whether the program's threads are all gone while the recorder's flusher still
// runs.
//
// A process lives as long as any of its threads does. When the program's main
// thread leaves through pthread_exit, glibc ends the process (exit(0)) when the
// last other thread ends; the flusher is a thread too, so without a check the
// process would outlive its program forever. The flusher asks this now and then
// and, when it is true, ends the process as glibc would have.
#pragma once

namespace taskscope::detail {

// True when every thread of the process other than the caller has exited
// (zombies count as exited: a main thread that called pthread_exit stays one
// until the process ends). Cheap while the main thread runs: one small /proc
// read; the full scan of /proc/self/task happens only once it has exited.
bool only_caller_left() noexcept;

// The number of the process's live threads other than the caller, io_uring's
// workers excluded; -1 when /proc cannot be read.
int other_live_threads() noexcept;

}  // namespace taskscope::detail
