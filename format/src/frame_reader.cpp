// FrameReader: preamble -> bounds checks -> zstd (checksum) -> FlatBuffers Verifier.
// Every length is checked against the file before anything is allocated from it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

#include "columns.hpp"
#include "frame.hpp"
#include "taskscope/format/reader.hpp"
#include "trace_generated.h"

namespace taskscope::format {
namespace {

std::string str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

// `raw` holds the buffer and then kColumnReadSlack bytes.
template <typename Table>
const Table* verified_root(const std::vector<uint8_t>& raw) {
  flatbuffers::Verifier verifier(raw.data(), raw.size() - kColumnReadSlack);
  if (!verifier.VerifyBuffer<Table>(fb::AnyIdentifier())) return nullptr;
  return flatbuffers::GetRoot<Table>(raw.data());
}

TraceHeader to_header(const fb::Header* h) {
  TraceHeader header;
  header.version_major = h->version_major();
  header.version_minor = h->version_minor();
  header.process_name = str(h->process_name());
  header.pid = h->pid();
  header.start_unix_ns = h->start_unix_ns();
  header.ticks_per_ns = h->ticks_per_ns();
  header.start_ticks = h->start_ticks();
  header.mode = str(h->mode());
  header.buffer_bytes = h->buffer_bytes();
  header.hang_timeout_ns = h->hang_timeout_ns();
  header.reason = str(h->reason());
  header.threads_at_hang = h->threads_at_hang();
  header.holds = str(h->holds());
  return header;
}

}  // namespace

FrameReader::FrameReader(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw TraceError(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    throw TraceError(path, "not a regular file");
  }
  size_ = static_cast<uint64_t>(st.st_size);
  status_.bytes = size_;
  try {
    if (size_ == 0) throw TraceError(path, "empty file");
    uint8_t magic[4] = {};
    if (!read_at(0, magic, std::min<uint64_t>(4, size_)) || size_ < 4 ||
        std::memcmp(magic, kMagic, 4) != 0)
      throw TraceError(path, "not a taskscope trace (bad magic)");
    if (size_ < kPreambleSize) throw TraceError(path, "truncated inside the header frame");
    uint8_t preamble[kPreambleSize];
    read_at(0, preamble, kPreambleSize);
    auto decoded = decode_preamble(preamble);
    if (!decoded || decoded->type != FrameType::kHeader)
      throw TraceError(path, "not a taskscope trace (first frame is not a valid header)");
    if (kPreambleSize + decoded->payload_size > size_)
      throw TraceError(path, "truncated inside the header frame");
    auto frame = decode_at_pos();
    if (!frame) throw TraceError(path, "header frame is corrupt: " + status_.damage.back().reason);
    header_ = frame->header;
    if (header_.version_major > kFormatMajor)
      throw TraceError(path, "format version " + std::to_string(header_.version_major) + "." +
                                 std::to_string(header_.version_minor) +
                                 " is newer than this reader (" + std::to_string(kFormatMajor) +
                                 ".x); upgrade taskscope");
    if (header_.version_major == 0)
      throw TraceError(path, "format version 0 is not a released format");
  } catch (...) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    ZSTD_freeDCtx(zstd_);
    zstd_ = nullptr;
    throw;
  }
}

FrameReader::~FrameReader() {
  if (fd_ >= 0) ::close(fd_);
  ZSTD_freeDCtx(zstd_);
}

bool FrameReader::read_at(uint64_t offset, void* out, size_t size) {
  auto* bytes = static_cast<uint8_t*>(out);
  while (size > 0) {
    const ssize_t n = ::pread(fd_, bytes, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

uint64_t FrameReader::resync(uint64_t from) {
  std::vector<uint8_t> window(64 * 1024 + kPreambleSize);
  for (uint64_t base = from; base + kPreambleSize <= size_; base += 64 * 1024) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(window.size(), size_ - base));
    if (!read_at(base, window.data(), want)) return size_;
    for (size_t i = 0; i + kPreambleSize <= want && i < 64 * 1024; ++i)
      if (window[i] == kMagic[0] && decode_preamble(&window[i])) return base + i;
  }
  return size_;
}

std::optional<FrameView> FrameReader::decode_at_pos() {
  const uint64_t offset = pos_;
  uint8_t bytes[kPreambleSize];
  read_at(offset, bytes, kPreambleSize);
  const auto preamble = decode_preamble(bytes);
  if (!preamble) {
    const uint64_t next = resync(offset + 1);
    status_.damage.push_back({offset, "not a frame preamble; skipped " +
                                          std::to_string(next - offset) + " bytes"});
    pos_ = next;
    return std::nullopt;
  }
  const uint64_t end = offset + kPreambleSize + preamble->payload_size;
  auto damaged = [&](const std::string& reason) -> std::optional<FrameView> {
    status_.damage.push_back({offset, std::string(frame_type_name(preamble->type)) +
                                          " frame: " + reason});
    pos_ = end;
    return std::nullopt;
  };
  compressed_.resize(preamble->payload_size);
  if (!read_at(offset + kPreambleSize, compressed_.data(), compressed_.size()))
    return damaged("cannot read payload");
  const unsigned long long content =
      ZSTD_getFrameContentSize(compressed_.data(), compressed_.size());
  if (content != preamble->raw_size) return damaged("zstd frame size does not match preamble");
  // The slack after the buffer lets read_columns use whole-word loads.
  raw_.resize(preamble->raw_size + kColumnReadSlack);
  if (!zstd_) zstd_ = ZSTD_createDCtx();
  if (!zstd_) return damaged("out of memory for the zstd context");
  const size_t got = ZSTD_decompressDCtx(zstd_, raw_.data(), preamble->raw_size,
                                         compressed_.data(), compressed_.size());
  if (ZSTD_isError(got)) return damaged(std::string("zstd: ") + ZSTD_getErrorName(got));
  if (got != preamble->raw_size) return damaged("zstd payload shorter than declared");

  FrameView view;
  view.type = preamble->type;
  view.offset = offset;
  view.stored_size = kPreambleSize + preamble->payload_size;
  view.raw_size = preamble->raw_size;
  const char* failed = "FlatBuffers verification failed";
  switch (preamble->type) {
    case FrameType::kHeader: {
      const auto* h = verified_root<fb::Header>(raw_);
      if (!h) return damaged(failed);
      view.header = to_header(h);
      break;
    }
    case FrameType::kStrings: {
      const auto* s = verified_root<fb::Strings>(raw_);
      if (!s) return damaged(failed);
      if (s->entries())
        for (const auto* entry : *s->entries())
          view.strings.push_back({entry->id(), str(entry->text())});
      break;
    }
    case FrameType::kEventBatch: {
      const auto* batch = verified_root<fb::EventBatch>(raw_);
      if (!batch) return damaged(failed);
      view.thread = batch->thread();
      view.watermark_ns = batch->watermark_ns();
      if (!trace_time_valid(view.watermark_ns)) return damaged("event time out of range");
      if (!spare_events_.empty()) {
        view.events = std::move(spare_events_.back());
        spare_events_.pop_back();
      }
      if (auto error = read_columns(batch->events(), view.thread, view.events); !error.empty())
        return damaged(error);
      break;
    }
    case FrameType::kSnapshot: {
      const auto* snapshot = verified_root<fb::Snapshot>(raw_);
      if (!snapshot) return damaged(failed);
      view.generation = snapshot->generation();
      view.watermark_ns = snapshot->time_ns();
      if (!trace_time_valid(view.watermark_ns)) return damaged("event time out of range");
      if (auto error = read_columns(snapshot->events(), 0, view.events); !error.empty())
        return damaged(error);
      break;
    }
    case FrameType::kFooter: {
      const auto* f = verified_root<fb::Footer>(raw_);
      if (!f) return damaged(failed);
      view.footer = {f->events(), f->frames(), f->dropped_events(), f->end_ns()};
      if (!trace_time_valid(view.footer.end_ns)) return damaged("event time out of range");
      break;
    }
  }
  pos_ = end;
  ++status_.frames;
  ++status_.frames_by_type[static_cast<size_t>(view.type)];
  return view;
}

std::optional<FrameView> FrameReader::next() {
  while (pos_ < size_) {
    if (size_ - pos_ < kPreambleSize) {
      status_.truncated = true;
      status_.truncated_at = pos_;
      pos_ = size_;
      break;
    }
    uint8_t bytes[kPreambleSize];
    read_at(pos_, bytes, kPreambleSize);
    if (auto preamble = decode_preamble(bytes);
        preamble && pos_ + kPreambleSize + preamble->payload_size > size_) {
      // A sound preamble whose payload runs past the end: the writer was cut off.
      status_.truncated = true;
      status_.truncated_at = pos_;
      pos_ = size_;
      break;
    }
    if (auto frame = decode_at_pos()) {
      if (frame->type == FrameType::kFooter) status_.footer = frame->footer;
      return frame;
    }
  }
  return std::nullopt;
}

bool FrameReader::refresh() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return false;
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size <= size_) return false;
  size_ = size;
  status_.bytes = size;
  if (status_.truncated) {
    // The incomplete frame was the writer's, caught mid-write: read it again.
    status_.truncated = false;
    pos_ = status_.truncated_at;
    status_.truncated_at = 0;
  }
  return true;
}

void FrameReader::recycle(std::vector<Event>&& events) {
  // A few are enough: one per thread whose batches are in the merge window.
  constexpr size_t kMaxSpare = 64;
  if (spare_events_.size() < kMaxSpare) spare_events_.push_back(std::move(events));
}

}  // namespace taskscope::format
