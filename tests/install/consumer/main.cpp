// A program outside the taskscope tree: records itself, then reads its trace back.
#include <taskscope/format/reader.hpp>
#include <taskscope/taskscope.hpp>

#include <cstdio>
#include <mutex>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  taskscope::Config config;
  config.output = argv[1];
  if (!taskscope::start(config)) return 1;
  {
    taskscope::mutex lock("installed-lock");
    std::lock_guard<taskscope::mutex> guard(lock);
  }
  taskscope::stop();
  taskscope::format::TraceReader reader(argv[1]);
  taskscope::format::Event event;
  int acquisitions = 0;
  while (reader.next(event))
    if (event.kind == taskscope::format::EventKind::kAcquired) ++acquisitions;
  std::printf("acquisitions: %d\n", acquisitions);
  return acquisitions == 1 ? 0 : 1;
}
