// Creating trace files safely. A trace can land in a shared directory (/tmp,
// a CI workspace) and holds what the program did (names, addresses), so it is
// private by default (Config::file_mode, 0600 as perf does), is never written
// through a symlink or onto a device, FIFO or directory, and replaces an older
// trace only by rename: the file is written under a temporary name in the same
// directory and renamed into place, so whatever ends the process, the final
// name holds either the older trace or a new one, never a mix of the two.
//
// Everything here is async-signal-safe (open, fstat, unlink, rename, close on
// caller-provided buffers): the fatal-signal dump uses it.
#pragma once

#include <sys/types.h>

#include <string>

namespace taskscope::detail {

// 0 when `path` is absent or a regular file (what may be replaced); otherwise
// an errno value: ELOOP for a symlink, EISDIR for a directory, EINVAL for a
// device, FIFO or socket, or why it could not be examined.
int check_output_target(const char* path) noexcept;

// Creates `temp_path` with `mode` (and the umask), write-only or read-write,
// never reusing an existing file: a stale one of the same name (an earlier
// process with this pid) is unlinked first, a symlink at the name is never
// followed. Returns the descriptor, or -errno.
int create_output_temp(const char* temp_path, mode_t mode, bool readable) noexcept;

// Renames `temp_path` to `path` after checking `path` is absent or a regular
// file. On failure `temp_path` is removed. Returns 0 or an errno value.
int publish_output(const char* temp_path, const char* path) noexcept;

// What a check_output_target() or publish_output() error means, for messages.
const char* describe_output_error(int error) noexcept;

// "<path>.tmp.<pid>": the temporary name next to `path` for this process.
std::string output_temp_path(const std::string& path, const char* tag);

}  // namespace taskscope::detail
