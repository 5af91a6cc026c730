#include "module_files.hpp"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <string_view>

namespace taskscope::analyzer::symbolize {
namespace {

// Trees whose files are not files: reading them can block, never end, or
// describe the machine the analyzer runs on rather than the recorded one.
constexpr std::array<std::string_view, 3> kRefusedTrees = {"/dev/", "/proc/", "/sys/"};

std::string hex(const unsigned char* bytes, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (size_t i = 0; i < size; ++i) {
    text += kHex[bytes[i] >> 4];
    text += kHex[bytes[i] & 0xF];
  }
  return text;
}

// Opens `file` and keeps it only if its build id is `build_id`.
int open_with_build_id(const std::string& file, const std::string& build_id) {
  std::string why;
  const int fd = open_named_file(file, &why);
  if (fd < 0) return -1;
  if (build_id_of(fd) == build_id) return fd;
  ::close(fd);
  return -1;
}

// DIR/.build-id/xx/yyyy<suffix> for a hex build id "xxyyyy...".
std::string build_id_file(const std::string& dir, const std::string& build_id,
                          std::string_view suffix) {
  return dir + "/.build-id/" + build_id.substr(0, 2) + "/" + build_id.substr(2) +
         std::string(suffix);
}

bool is_hex_build_id(const std::string& build_id) {
  if (build_id.size() < 4 || build_id.size() % 2 != 0) return false;
  for (const char c : build_id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

int open_named_file(const std::string& path, std::string* why) {
  if (path.empty() || path.find('\0') != std::string::npos) {
    *why = "no file name";
    return -1;
  }
  for (const std::string_view tree : kRefusedTrees) {
    if (path.compare(0, tree.size(), tree) == 0) {
      *why = "not a regular file";
      return -1;
    }
  }
  // O_NONBLOCK: opening a FIFO with no writer returns at once instead of
  // waiting for one; the fstat below then refuses it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    *why = "cannot open";
    return -1;
  }
  struct stat status;
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    ::close(fd);
    *why = "not a regular file";
    return -1;
  }
  // Reads of a regular file never block; clear the flag for libelf's sake.
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

std::string build_id_of(int fd) {
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (elf == nullptr) return {};
  const void* bytes = nullptr;
  const ssize_t size = dwelf_elf_gnu_build_id(elf, &bytes);
  std::string id = size > 0
                       ? hex(static_cast<const unsigned char*>(bytes), static_cast<size_t>(size))
                       : std::string();
  elf_end(elf);
  return id;
}

ModuleFile locate_module(const std::string& path, const std::string& build_id,
                         const std::vector<std::string>& debug_dirs) {
  if (build_id.empty()) {
    std::string why;
    const int fd = open_named_file(path, &why);
    return fd >= 0 ? ModuleFile{fd, path} : ModuleFile{};
  }
  if (const int fd = open_with_build_id(path, build_id); fd >= 0) return {fd, path};
  if (!is_hex_build_id(build_id)) return {};
  for (const std::string& dir : debug_dirs) {
    for (const std::string_view suffix : {".debug", ""}) {
      const std::string file = build_id_file(dir, build_id, suffix);
      if (const int fd = open_with_build_id(file, build_id); fd >= 0) return {fd, file};
    }
  }
  return {};
}

ModuleFile locate_debug_info(const std::string& build_id,
                             const std::vector<std::string>& debug_dirs) {
  if (!is_hex_build_id(build_id)) return {};
  std::vector<std::string> dirs = debug_dirs;
  dirs.push_back("/usr/lib/debug");
  for (const std::string& dir : dirs) {
    const std::string file = build_id_file(dir, build_id, ".debug");
    if (const int fd = open_with_build_id(file, build_id); fd >= 0) return {fd, file};
  }
  return {};
}

}  // namespace taskscope::analyzer::symbolize
