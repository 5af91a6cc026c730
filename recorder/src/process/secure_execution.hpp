// Secure execution (setuid, setgid, file capabilities): the kernel sets
// AT_SECURE and the environment comes from a less privileged caller. The
// recorder then ignores TASKSCOPE_* variables and does not start from them, so
// that nobody can make a privileged program write a trace where they choose.
#pragma once

namespace taskscope::detail {

bool secure_execution() noexcept;

// Tests: -1 reads AT_SECURE (the default), 0 or 1 pretend.
void set_secure_execution_for_testing(int secure) noexcept;

}  // namespace taskscope::detail
