// The reference coroutine runtime, all of it: executor and tasks, wakers,
// channels, mutex, timers and I/O. See runtime/README.md for how it is
// instrumented; it records only through taskscope/events.hpp.
#pragma once

#include "taskscope/rt/channel.hpp"
#include "taskscope/rt/executor.hpp"
#include "taskscope/rt/io.hpp"
#include "taskscope/rt/join.hpp"
#include "taskscope/rt/mutex.hpp"
#include "taskscope/rt/task.hpp"
#include "taskscope/rt/time.hpp"
#include "taskscope/rt/waker.hpp"
