// Address ranges of the modules loaded at start-up, classified once (at load
// time, single-threaded) so that the shim can ask "is this address noise?" or
// "is this object in static storage?" without dladdr, which takes the loader
// lock — unsafe inside a lock interposer that another thread's dlopen may be
// waiting for. Modules loaded later by dlopen are simply not classified.
#pragma once

namespace taskscope::preload {

// Computes the ranges (call once, from the library's constructor).
void classify_modules() noexcept;
// Code of libc, libstdc++, libgcc_s, the dynamic loader or taskscope itself:
// frames a person does not want to see in a stack.
bool is_noise(const void* pc) noexcept;
// Code of libstdc++ (a thread start routine there is std::thread's).
bool in_libstdcxx(const void* pc) noexcept;
// Inside a writable segment of a module (a global or static variable), whose
// symbol names it offline.
bool in_static_storage(const void* address) noexcept;

}  // namespace taskscope::preload
