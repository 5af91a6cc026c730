// The stream-mode trace file, written as the program runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "taskscope/format/writer.hpp"

namespace taskscope::detail {

// Appends frames to the output file. Invariant: the file is always a header
// followed by whole frames (a frame goes out in one write call sequence before
// the next starts), so whatever ends the process, the file reads back complete
// up to its last frame. The header can be replaced afterwards (to record why
// the recording ended: "hang", "signal 11") by rewriting the file.
class StreamWriter {
 public:
  bool open(const std::string& path, const format::Frame& header);
  bool write(const format::Frame& frame);
  // Rewrites the file with `header` in place of the current one: copies the
  // frames after it into a temporary file and renames it over the original.
  // Costs a copy of the file, which is why only abnormal ends do it.
  bool replace_header(const format::Frame& header);
  // Appends `footer` (if any) and closes.
  void close(const format::Frame* footer);

  bool is_open() const { return file_ != nullptr && file_->is_open(); }
  int fd() const { return file_ != nullptr ? file_->fd() : -1; }
  uint64_t frames() const { return frames_; }
  // Size of the file (header included).
  uint64_t bytes() const { return file_ != nullptr ? file_->bytes_written() : 0; }

 private:
  std::string path_;
  std::unique_ptr<format::TraceFile> file_;
  uint64_t header_size_ = 0;
  uint64_t frames_ = 0;  // written after the header
};

}  // namespace taskscope::detail
