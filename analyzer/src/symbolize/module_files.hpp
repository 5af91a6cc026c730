// Finding the file of a recorded module, safely. A trace comes from anywhere:
// its module map may name a FIFO (opening it would block), a device or a /proc
// file (reading it would hang or leak), or a local file that is another build
// of the program (its symbols would lie). Every file the analyzer opens because
// a trace names it goes through open_named_file(); the descriptor, not the
// path, is handed on, so nothing can change between the check and the read.
// See docs/trace-format.md, "Module files".
#pragma once

#include <string>
#include <vector>

namespace taskscope::analyzer::symbolize {

// Opens `path` for reading if it is a regular file outside /dev, /proc and
// /sys, without blocking and without becoming a controlling terminal. Returns
// the descriptor (close-on-exec), or -1 with `why` set.
int open_named_file(const std::string& path, std::string* why);

// The GNU build id (NT_GNU_BUILD_ID) of the ELF file open on `fd`, in
// lower-case hex; "" when it has none or is not ELF. Does not move `fd`.
std::string build_id_of(int fd);

// Where a module's file was found, and the descriptor open on it.
struct ModuleFile {
  int fd = -1;       // -1: not found; otherwise owned by the caller
  std::string file;  // the file opened
};

// The file of the module recorded at `path` with `build_id` ("" when the trace
// has none, format < 1.4): the recorded path when its build id matches (any
// regular file when there is no build id to check), else a file under a debug
// directory's .build-id tree (DIR/.build-id/xx/yyyy.debug, or DIR/.build-id/
// xx/yyyy, a binary) whose build id matches.
ModuleFile locate_module(const std::string& path, const std::string& build_id,
                         const std::vector<std::string>& debug_dirs);

// The file of separate debug information for `build_id` under the debug
// directories and the system's (/usr/lib/debug); fd -1 when there is none.
ModuleFile locate_debug_info(const std::string& build_id,
                             const std::vector<std::string>& debug_dirs);

}  // namespace taskscope::analyzer::symbolize
