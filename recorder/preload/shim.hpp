// Shared plumbing of the preload shim (libtaskscope_preload.so): the re-entrance
// guard, access to the real libc functions, and call-site capture.
//
// The shim interposes pthread, semaphore, sleep and blocking-I/O functions and
// the futex calls made through syscall() (futex.cpp) of an unmodified program,
// and turns them into taskscope events through the same recorder instance a
// linked program would use. Invariants every interposer keeps:
//  - When recording is off, on a recorder thread, or re-entered from the shim's
//    own bookkeeping (the recorder, backtrace() and dlsym may call pthread
//    functions themselves), it calls the real function and records nothing.
//  - It never takes a pthread mutex of its own; shared state is lock-free.
//  - Ownership is recorded around the real call so that the trace order matches
//    the program: `acquired` after the real lock returns, `released` before the
//    real unlock runs.
//  - errno is preserved across the shim's bookkeeping.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstdint>

#include "taskscope/events.hpp"

#define TASKSCOPE_INTERPOSE extern "C" __attribute__((visibility("default")))

namespace taskscope::preload {

// Set while the shim itself runs on this thread. initial-exec: the shim is
// loaded at start-up, and the general-dynamic model could call malloc on first
// access, which may re-enter the shim. constinit: no TLS init wrapper call.
extern constinit thread_local bool t_busy __attribute__((tls_model("initial-exec")));

// Code ranges of the libtaskscope* modules (filled once at load time by
// classify_modules, see module_ranges.hpp).
struct CodeRanges {
  static constexpr int kMax = 4;
  uintptr_t begin[kMax] = {};
  uintptr_t end[kMax] = {};
  std::atomic<int> count{0};
};
extern CodeRanges g_taskscope_code;

// True when `caller` (a return address) is code of taskscope itself: the
// recorder locks its own mutexes (string table, fork handlers) on program
// threads, and recording those would recurse into it.
inline bool called_from_taskscope(const void* caller) noexcept {
  const uintptr_t address = reinterpret_cast<uintptr_t>(caller);
  const int count = g_taskscope_code.count.load(std::memory_order_relaxed);
  for (int i = 0; i < count; ++i)
    if (address - g_taskscope_code.begin[i] < g_taskscope_code.end[i] - g_taskscope_code.begin[i])
      return true;
  return false;
}

// True once the library's constructor classified the modules. Before, only
// library initialisers run, and the recorder's own calls cannot be told from
// the program's: interposers of calls the recorder itself makes (syscall,
// pthread_once) record nothing until then.
inline bool modules_classified() noexcept {
  return g_taskscope_code.count.load(std::memory_order_relaxed) != 0;
}

// True when a call made from `caller` should be recorded. Cheap first test:
// the recording flag.
inline bool should_record(const void* caller) noexcept {
  return recording() && !t_busy && !called_from_taskscope(caller) && !detail::on_recorder_thread();
}

// Marks the shim busy on this thread for its lifetime and restores errno, so a
// program that reads errno after our bookkeeping sees what the real call set.
class BusyScope {
 public:
  BusyScope() noexcept : saved_errno_(errno) { t_busy = true; }
  ~BusyScope() {
    t_busy = false;
    errno = saved_errno_;
  }
  BusyScope(const BusyScope&) = delete;
  BusyScope& operator=(const BusyScope&) = delete;
  // Call after the real function returned, to keep the errno it set.
  void keep_errno() noexcept { saved_errno_ = errno; }

 private:
  int saved_errno_;
};

// Resolves the next definition of `name` after the shim (dlsym(RTLD_NEXT)), or of
// `name`@`version` when a version is given (dlvsym), falling back to dlsym.
void* resolve_next(const char* name, const char* version = nullptr) noexcept;

// Lazily resolved pointer to a real function; races are benign (same result).
template <typename Fn>
class RealFunction {
 public:
  constexpr RealFunction(const char* name, const char* version = nullptr)
      : name_(name), version_(version) {}
  Fn get() noexcept {
    void* fn = fn_.load(std::memory_order_acquire);
    if (__builtin_expect(fn == nullptr, 0)) {
      fn = resolve_next(name_, version_);
      fn_.store(fn, std::memory_order_release);
    }
    return reinterpret_cast<Fn>(fn);
  }

 private:
  const char* name_;
  const char* version_;
  std::atomic<void*> fn_{nullptr};
};

// The call site of an interposed function on a fast path, in a form from which
// the symbolizer can find the first frame of the program's own code: the
// recorder's intern_call_chain (taskscope/events.hpp), which the linked
// primitives use too. Usually the return address alone, interned as
// "pc:0x<hex>" (the recorder caches interning per address). When the function
// it returns into keeps a frame pointer (every function of an unoptimised
// build), the callers found through the frame-pointer chain follow, as in
// stack_site: at -O0 the return address lies in libstdc++'s inline wrappers
// emitted into the program (__gthread_mutex_lock, std::mutex::lock,
// std::unique_lock's constructor), the same address for every caller, and only
// the frames above it tell where the program took the lock. The walk follows a
// frame pointer only out of a function whose prologue sets one up, so it costs
// a few loads and never reads a register that holds something else; whether a
// function does is decided once per return address. It relies on the shim's
// own frames keeping frame pointers (-fno-omit-frame-pointer in
// CMakeLists.txt): must be called from an interposer (directly or through shim
// functions), with `return_address` its __builtin_return_address(0).
StringId site(const void* return_address) noexcept;

// A short, denoised stack for slow paths (a wait that blocks): up to
// kMaxStackFrames return addresses from the program's own code, with frames of
// libc, libstdc++, libgcc, the dynamic loader and taskscope removed, interned as
// "pc:0x<innermost>;pc:0x<caller>;..." (Symbolizer::describe renders each).
// Falls back to `return_address` alone when nothing is left after denoising.
// This is the `where` of the WaitBegin, and of the acquisition that ends it.
inline constexpr int kMaxStackFrames = 8;
StringId stack_site(const void* return_address) noexcept;

// Loads the unwinder ahead of time, so that the first contended wait does not
// dlopen libgcc_s while another thread may hold the loader lock (which could
// deadlock a program that would not otherwise).
void prepare_stack_capture() noexcept;

// The calling thread's kernel id, cached per thread (reset in a forked child).
int current_tid() noexcept;
void reset_tid_after_fork() noexcept;

}  // namespace taskscope::preload
