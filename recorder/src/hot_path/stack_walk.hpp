// Call sites as short frame-pointer chains, for the places where a return
// address alone would name library code: at -O0, std::lock_guard's and
// std::unique_lock's constructors (libstdc++ header functions emitted into the
// program) call taskscope::mutex::lock and pthread_mutex_lock, so their return
// address is the same header line for every caller, and only the frames above
// it tell where the program took the lock. intern_call_chain (events.hpp) is
// the entry point; the linked primitives and the preload shim both use it.
//
// Safety: a frame pointer is followed only out of a function whose prologue
// sets one up (classify_return_address), so the walk never reads a register
// that holds something else, and every frame read must be plausible: aligned,
// above the previous one and within kMaxStackSpan of the first. Noise (libc,
// libstdc++, libgcc, the dynamic loader, taskscope itself) ends the walk.
#pragma once

#include <cstdint>
#include <string>

namespace taskscope::detail {

// How many return addresses a chain keeps: enough to climb out of libstdc++'s
// wrappers (std::scoped_lock -> std::lock -> __try_lock_impl -> ...) into the
// program at -O0.
inline constexpr int kMaxChainFrames = 8;

// What the function a return address returns into is.
enum class ReturnInto : uint64_t {
  kNoise = 1,           // a module that is not the program's (libc, libstdc++, taskscope...)
  kNoFramePointer = 2,  // program code that may use %rbp for anything (optimised)
  kFramePointer = 3,    // program code whose %rbp is its frame at every call it makes
};

// Classifies `pc`, once per address (a lock-free, process-wide cache).
ReturnInto classify_return_address(const void* pc) noexcept;

// Fills `frames` (kMaxChainFrames entries) with `return_address` and the
// callers found through frame pointers, innermost first; returns how many (at
// least 1). `frame` is the frame (__builtin_frame_address(0)) of the function
// that `return_address` returns from, or of a function it called, as long as
// every frame in between keeps a frame pointer; it must be live (not the
// frame of a function that tail-called its way here).
int walk_call_chain(const void* return_address, const void* frame, const void** frames) noexcept;

// "pc:0x<a>;pc:0x<b>;...", the form the analyzer's symbolizer reads.
std::string call_chain_text(const void* const* frames, int count);

}  // namespace taskscope::detail
