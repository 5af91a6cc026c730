#include "output/stream_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "output/output_file.hpp"

namespace taskscope::detail {

StreamWriter::~StreamWriter() {
  if (fd_ >= 0) ::close(fd_);
}

bool StreamWriter::write_all(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

int StreamWriter::create_with_header(const std::string& temp, const format::Frame& header) {
  const int fd = create_output_temp(temp.c_str(), mode_, /*readable=*/true);
  if (fd < 0) {
    error_ = -fd;
    return -1;
  }
  if (!write_all(fd, header.data(), header.size())) {
    ::close(fd);
    ::unlink(temp.c_str());
    return -1;
  }
  return fd;
}

bool StreamWriter::open(const std::string& path, const format::Frame& header, mode_t mode) {
  path_ = path;
  mode_ = mode;
  error_ = check_output_target(path.c_str());
  if (error_ != 0) return false;
  const std::string temp = output_temp_path(path, "tmp");
  const int fd = create_with_header(temp, header);
  if (fd < 0) return false;
  if (const int error = publish_output(temp.c_str(), path.c_str()); error != 0) {
    error_ = error;
    ::close(fd);
    return false;
  }
  fd_ = fd;
  bytes_ = header.size();
  header_size_ = header.size();
  frames_ = 0;
  return true;
}

bool StreamWriter::write(const format::Frame& frame) {
  if (!is_open() || !write_all(fd_, frame.data(), frame.size())) return false;
  bytes_ += frame.size();
  ++frames_;
  return true;
}

bool StreamWriter::replace_header(const format::Frame& header) {
  if (!is_open()) return false;
  const std::string temp = output_temp_path(path_, "tmp");
  const int copy = create_with_header(temp, header);
  if (copy < 0) return false;
  // Read the frames back through our own descriptor, not the path: the name
  // may have been replaced since open().
  bool ok = true;
  std::vector<uint8_t> buffer(1 << 20);
  off_t offset = static_cast<off_t>(header_size_);
  while (ok) {
    const ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n < 0) error_ = errno;
      ok = n == 0;
      break;
    }
    ok = write_all(copy, buffer.data(), static_cast<size_t>(n));
    offset += n;
  }
  if (ok && ::fdatasync(copy) != 0) {
    error_ = errno;
    ok = false;
  }
  if (ok) {
    if (const int error = publish_output(temp.c_str(), path_.c_str()); error != 0) {
      error_ = error;
      ok = false;
    }
  } else {
    ::unlink(temp.c_str());
  }
  if (!ok) {
    ::close(copy);
    return false;
  }
  ::close(fd_);
  fd_ = copy;
  bytes_ = bytes_ - header_size_ + header.size();
  header_size_ = header.size();
  return true;
}

void StreamWriter::close(const format::Frame* footer) {
  if (!is_open()) return;
  if (footer != nullptr) write(*footer);
  ::fdatasync(fd_);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace taskscope::detail
