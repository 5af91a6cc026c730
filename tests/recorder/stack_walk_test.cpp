// Call chains through frame pointers (recorder/src/hot_path/stack_walk.cpp):
// which return addresses are followed, which end the walk, and the text the
// symbolizer reads.
#include "hot_path/stack_walk.hpp"

#include <unwind.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "taskscope/events.hpp"

namespace {

using taskscope::detail::kMaxChainFrames;
using taskscope::detail::ReturnInto;

// Three functions that keep a frame pointer whatever the build type, like
// every function of an unoptimised program: outer -> middle -> inner, where
// inner walks from its own frame as taskscope::mutex::lock() does.
#define KEEPS_FRAME_POINTER __attribute__((noinline, optimize("no-omit-frame-pointer")))

KEEPS_FRAME_POINTER int inner(const void** frames) {
  const int count = taskscope::detail::walk_call_chain(__builtin_return_address(0),
                                                       __builtin_frame_address(0), frames);
  asm volatile("" ::: "memory");  // not a tail call: the frame stays live
  return count;
}

KEEPS_FRAME_POINTER int middle(const void** frames) {
  const int count = inner(frames);
  asm volatile("" ::: "memory");
  return count;
}

KEEPS_FRAME_POINTER int outer(const void** frames) {
  const int count = middle(frames);
  asm volatile("" ::: "memory");
  return count;
}

const void* function_of(const void* pc) {
  return _Unwind_FindEnclosingFunction(const_cast<void*>(pc));
}

}  // namespace

TEST_CASE("stack walk: a caller that keeps a frame pointer is followed to its callers",
          "[recorder][stack_walk]") {
  const void* frames[kMaxChainFrames] = {};
  const int count = outer(frames);
  REQUIRE(count >= 2);
  CHECK(function_of(frames[0]) == reinterpret_cast<const void*>(&middle));
  CHECK(function_of(frames[1]) == reinterpret_cast<const void*>(&outer));
  CHECK(taskscope::detail::classify_return_address(frames[0]) == ReturnInto::kFramePointer);
  // Never past the bound, never into libc's or libstdc++'s frames.
  CHECK(count <= kMaxChainFrames);
  for (int i = 0; i < count; ++i)
    CHECK(taskscope::detail::classify_return_address(frames[i]) != ReturnInto::kNoise);
}

TEST_CASE("stack walk: runtime and taskscope code is noise, the program's is not",
          "[recorder][stack_walk]") {
  // A return address into libc (inside printf's code) and into the recorder.
  CHECK(taskscope::detail::classify_return_address(reinterpret_cast<const char*>(&std::printf) +
                                                   1) == ReturnInto::kNoise);
  CHECK(taskscope::detail::classify_return_address(
            reinterpret_cast<const char*>(&taskscope::intern_pc) + 1) == ReturnInto::kNoise);
  CHECK(taskscope::detail::classify_return_address(reinterpret_cast<const char*>(&outer) + 1) ==
        ReturnInto::kFramePointer);
}

TEST_CASE("stack walk: without a frame to follow the chain is the return address alone",
          "[recorder][stack_walk]") {
  const void* frames[kMaxChainFrames] = {};
  const void* here = reinterpret_cast<const char*>(&outer) + 1;
  CHECK(taskscope::detail::walk_call_chain(here, nullptr, frames) == 1);
  CHECK(frames[0] == here);
  // Noise is never walked out of, whatever the frame says.
  const void* in_libc = reinterpret_cast<const char*>(&std::printf) + 1;
  CHECK(taskscope::detail::walk_call_chain(in_libc, __builtin_frame_address(0), frames) == 1);
  // Interned, a one-frame chain is the plain return address.
  CHECK(taskscope::intern_call_chain(in_libc, __builtin_frame_address(0)) ==
        taskscope::intern_pc(in_libc));
}

TEST_CASE("stack walk: the chain text is what the symbolizer reads", "[recorder][stack_walk]") {
  const void* frames[] = {reinterpret_cast<const void*>(0x401a2bu),
                          reinterpret_cast<const void*>(0x401c00u)};
  CHECK(taskscope::detail::call_chain_text(frames, 2) == "pc:0x401a2b;pc:0x401c00");
  CHECK(taskscope::detail::call_chain_text(frames, 1) == "pc:0x401a2b");
}
