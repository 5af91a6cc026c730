// Signal handling of a session: the dump signal and the fatal signals.
#pragma once

#include "taskscope/session.hpp"

namespace taskscope::detail {

class Flusher;

// Installs the session's handlers (Config::dump_signal; SIGSEGV, SIGBUS,
// SIGABRT, SIGFPE when Config::dump_on_fatal_signal), remembering the actions
// they replace. Not async-signal-safe; called by start().
void install_signal_handlers(const Config& config, Flusher& flusher);
// Puts the remembered actions back. Also used in a forked child.
void restore_signal_handlers() noexcept;

}  // namespace taskscope::detail
