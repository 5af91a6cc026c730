// A compact byte form of a trace, for structure-aware fuzzing of the whole
// analysis (fuzz/analysis_fuzz.cpp). Any byte string decodes to a well-formed
// trace written with the project's own encoder — a header, string frames,
// per-thread event batches, snapshots, a footer or not — whose events take
// every kind, op, flag and value the fuzzer chooses. The reader's own fuzz
// target (reader_fuzz.cpp) covers malformed files; this one covers nonsense
// told in a valid file.
//
// The form mirrors the file frame by frame, so that a real trace converts to it
// exactly (encode_trace, used to seed the fuzzer with the scenario traces):
//
//   input  := header frame*
//   header := process_name:str pid:v start_unix_ns:v ticks_per_ns:v(bits) start_ticks:v
//             mode:str buffer_bytes:v hang_timeout_ns:z reason:str threads_at_hang:v minor:v
//   frame  := type:u8 body            (type % 5 chooses the body)
//     0 strings   count:u8 (id:v text:str){count}
//     1, 4 batch  thread:v watermark:z count:u8 event{count}
//     2 snapshot  time:z generation:v count:u8 (event thread:v){count}
//     3 footer    events:v frames:v dropped:v end_ns:z
//   event  := kind:u8 op:u8 flags:u16le str:v a:v b:v dt:z   (ts = previous ts in the frame + dt)
//   v: LEB128 varint; z: zigzag varint; str: len:v bytes (len below 4096)
// Input that ends mid-frame ends the trace there (the partial frame is dropped).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "taskscope/format/reader.hpp"
#include "taskscope/format/writer.hpp"

namespace taskscope::fuzz {

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ >= size_; }

  uint8_t u8() {
    if (pos_ >= size_) {
      ok_ = false;
      return 0;
    }
    return data_[pos_++];
  }
  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t byte = u8();
      value |= uint64_t{byte & 0x7fu} << shift;
      if (!(byte & 0x80)) break;
    }
    return value;
  }
  int64_t zigzag() {
    const uint64_t v = varint();
    return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }
  std::string str() {
    const size_t len = varint() % 4096;
    std::string out;
    for (size_t i = 0; i < len && ok_; ++i) out.push_back(static_cast<char>(u8()));
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  bool ok_ = true;
};

class ByteWriter {
 public:
  std::vector<uint8_t> bytes;
  void u8(uint8_t v) { bytes.push_back(v); }
  void varint(uint64_t v) {
    do {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      if (v) byte |= 0x80;
      bytes.push_back(byte);
    } while (v);
  }
  void zigzag(int64_t v) {
    varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void str(const std::string& text) {
    const size_t len = text.size() < 4096 ? text.size() : 4095;
    varint(len);
    bytes.insert(bytes.end(), text.begin(), text.begin() + static_cast<ptrdiff_t>(len));
  }
};

enum BodyType : uint8_t { kStrings = 0, kBatch = 1, kSnapshot = 2, kFooter = 3 };

inline bool read_event(ByteReader& in, int64_t& ts, format::Event& e) {
  e.kind = static_cast<format::EventKind>(in.u8());
  e.op = in.u8();
  e.flags = static_cast<uint16_t>(in.u8() | (in.u8() << 8));
  e.str = static_cast<uint32_t>(in.varint());
  e.a = in.varint();
  e.b = in.varint();
  // Wraps like the recorder's clock would not, but stays defined.
  ts = static_cast<int64_t>(static_cast<uint64_t>(ts) + static_cast<uint64_t>(in.zigzag()));
  e.ts_ns = ts;
  return in.ok();
}

inline void write_event(ByteWriter& out, int64_t& ts, const format::Event& e) {
  out.u8(static_cast<uint8_t>(e.kind));
  out.u8(e.op);
  out.u8(static_cast<uint8_t>(e.flags & 0xff));
  out.u8(static_cast<uint8_t>(e.flags >> 8));
  out.varint(e.str);
  out.varint(e.a);
  out.varint(e.b);
  out.zigzag(static_cast<int64_t>(static_cast<uint64_t>(e.ts_ns) - static_cast<uint64_t>(ts)));
  ts = e.ts_ns;
}

// Writes the trace `data` describes to `path`. Returns false only when the file
// cannot be written.
inline bool decode_to_trace(const uint8_t* data, size_t size, const std::string& path) {
  ByteReader in(data, size);
  format::TraceHeader header;
  header.process_name = in.str();
  header.pid = static_cast<uint32_t>(in.varint());
  header.start_unix_ns = static_cast<int64_t>(in.varint());
  const uint64_t ticks_bits = in.varint();
  std::memcpy(&header.ticks_per_ns, &ticks_bits, sizeof ticks_bits);
  header.start_ticks = in.varint();
  header.mode = in.str();
  header.buffer_bytes = in.varint();
  header.hang_timeout_ns = in.zigzag();
  header.reason = in.str();
  header.threads_at_hang = static_cast<uint32_t>(in.varint());
  header.version_major = format::kFormatMajor;
  header.version_minor = static_cast<uint16_t>(in.varint() % (format::kFormatMinor + 1));

  format::FrameEncoder encoder(1);
  format::TraceFile file;
  if (!file.open(path)) return false;
  file.write(encoder.header(header));
  std::vector<format::Frame> frames;
  std::vector<format::Event> events;
  std::vector<format::StringEntry> strings;
  while (in.ok() && !in.done()) {
    const uint8_t type = in.u8() % 5;
    frames.clear();
    if (type == kStrings) {
      strings.resize(in.u8());
      for (auto& entry : strings) {
        entry.id = static_cast<uint32_t>(in.varint());
        entry.text = in.str();
      }
      if (in.ok()) frames.push_back(encoder.strings(strings));
    } else if (type == kBatch || type == 4) {
      const uint64_t thread = in.varint();
      const int64_t watermark = in.zigzag();
      events.resize(in.u8());
      int64_t ts = 0;
      for (auto& e : events) {
        e = format::Event{};
        e.thread = thread;
        read_event(in, ts, e);
      }
      if (in.ok()) encoder.batch(thread, events, watermark, frames);
    } else if (type == kSnapshot) {
      const int64_t time = in.zigzag();
      const auto generation = static_cast<uint32_t>(in.varint());
      events.resize(in.u8());
      int64_t ts = 0;
      for (auto& e : events) {
        e = format::Event{};
        read_event(in, ts, e);
        e.thread = in.varint();
      }
      if (in.ok()) frames.push_back(encoder.snapshot(time, generation, events));
    } else {
      format::TraceFooter footer;
      footer.events = in.varint();
      footer.frames = in.varint();
      footer.dropped_events = in.varint();
      footer.end_ns = in.zigzag();
      if (in.ok()) frames.push_back(encoder.footer(footer));
    }
    for (const auto& frame : frames)
      if (!file.write(frame)) return false;
  }
  return true;
}

// The byte form of the trace at `path`, frame by frame (throws TraceError like
// the reader). Frames of more than 255 events are split.
inline std::vector<uint8_t> encode_trace(const std::string& path) {
  format::FrameReader reader(path);
  ByteWriter out;
  const format::TraceHeader& h = reader.header();
  out.str(h.process_name);
  out.varint(h.pid);
  out.varint(static_cast<uint64_t>(h.start_unix_ns));
  uint64_t ticks_bits = 0;
  std::memcpy(&ticks_bits, &h.ticks_per_ns, sizeof ticks_bits);
  out.varint(ticks_bits);
  out.varint(h.start_ticks);
  out.str(h.mode);
  out.varint(h.buffer_bytes);
  out.zigzag(h.hang_timeout_ns);
  out.str(h.reason);
  out.varint(h.threads_at_hang);
  out.varint(h.version_minor);
  while (auto frame = reader.next()) {
    switch (frame->type) {
      case format::FrameType::kStrings:
        for (size_t begin = 0; begin < frame->strings.size(); begin += 255) {
          const size_t count = std::min<size_t>(255, frame->strings.size() - begin);
          out.u8(kStrings);
          out.u8(static_cast<uint8_t>(count));
          for (size_t i = begin; i < begin + count; ++i) {
            out.varint(frame->strings[i].id);
            out.str(frame->strings[i].text);
          }
        }
        break;
      case format::FrameType::kEventBatch:
      case format::FrameType::kSnapshot: {
        const bool snapshot = frame->type == format::FrameType::kSnapshot;
        for (size_t begin = 0; begin < frame->events.size(); begin += 255) {
          const size_t count = std::min<size_t>(255, frame->events.size() - begin);
          if (snapshot) {
            out.u8(kSnapshot);
            out.zigzag(frame->watermark_ns);
            out.varint(frame->generation);
          } else {
            out.u8(kBatch);
            out.varint(frame->thread);
            out.zigzag(frame->watermark_ns);
          }
          out.u8(static_cast<uint8_t>(count));
          int64_t ts = 0;
          for (size_t i = begin; i < begin + count; ++i) {
            format::Event e = frame->events[i];
            e.flags = static_cast<uint16_t>(e.flags & ~format::kFlagSnapshot);
            write_event(out, ts, e);
            if (snapshot) out.varint(e.thread);
          }
        }
        break;
      }
      case format::FrameType::kFooter:
        out.u8(kFooter);
        out.varint(frame->footer.events);
        out.varint(frame->footer.frames);
        out.varint(frame->footer.dropped_events);
        out.zigzag(frame->footer.end_ns);
        break;
      case format::FrameType::kHeader:
        break;
    }
  }
  return out.bytes;
}

}  // namespace taskscope::fuzz
