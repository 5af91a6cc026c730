// The stream-mode trace file, written as the program runs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "taskscope/format/writer.hpp"

namespace taskscope::detail {

// Appends frames to the output file. Invariant: the file is always a header
// followed by whole frames (a frame goes out in one write call sequence before
// the next starts), so whatever ends the process, the file reads back complete
// up to its last frame. The header can be replaced afterwards (to record why
// the recording ended: "hang", "signal 11") by rewriting the file.
//
// The file is created under a temporary name (output_file.hpp) and renamed to
// the output path as soon as it holds its header, not at close: a program
// that is killed, or crashes past the recorder, must leave its (truncated)
// trace at the path `taskscope record` and the user look for. An older trace
// at that path is replaced whole by the rename, never overwritten in place.
class StreamWriter {
 public:
  StreamWriter() = default;
  ~StreamWriter();
  StreamWriter(const StreamWriter&) = delete;
  StreamWriter& operator=(const StreamWriter&) = delete;

  // False, with error() set, when `path` is a symlink, directory, device or
  // FIFO, or the file cannot be created or written.
  bool open(const std::string& path, const format::Frame& header, mode_t mode);
  bool write(const format::Frame& frame);
  // Rewrites the file with `header` in place of the current one: copies the
  // frames after it into a temporary file and renames it over the original.
  // Costs a copy of the file, which is why only abnormal ends do it.
  bool replace_header(const format::Frame& header);
  // Appends `footer` (if any) and closes.
  void close(const format::Frame* footer);

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  uint64_t frames() const { return frames_; }
  // Size of the file (header included).
  uint64_t bytes() const { return bytes_; }
  // errno value of the last failure (0: none).
  int error() const { return error_; }

 private:
  // A new file at a temporary name holding `header`; -1 on failure.
  int create_with_header(const std::string& temp, const format::Frame& header);
  bool write_all(int fd, const uint8_t* data, size_t size);

  std::string path_;
  mode_t mode_ = 0600;
  int fd_ = -1;  // read-write: replace_header() reads the frames back through it
  uint64_t bytes_ = 0;
  uint64_t header_size_ = 0;
  uint64_t frames_ = 0;  // written after the header
  int error_ = 0;
};

}  // namespace taskscope::detail
