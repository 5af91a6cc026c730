// The service scenario: the hang taskscope exists to explain.
//
// A small service on the reference runtime. accept_loop reads requests from a
// client connection and spawns a handler per request. The handler for
// "GET /report" spawns an aggregator, which spawns one fetch task per upstream;
// each fetch sends the pages of its upstream's answer on the bounded channel
// "results".
//
// The bug: the aggregator awaits every fetch's join handle *before* it drains
// "results". The upstreams answer more pages than "results" holds, so the last
// fetch blocks on the full channel, the aggregator waits for it forever, and
// the handler never answers: a channel-full cycle through a join.
//
// --twin: "results" is unbounded. The service answers, and the price is a queue
// that grows with the size of the answers, every page held in memory until all
// fetches are done (taskscope warns: channel_growth).
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "scenario.hpp"
#include "taskscope/events.hpp"
#include "taskscope/rt/runtime.hpp"

using namespace std::chrono_literals;
using taskscope::rt::JoinHandle;
using taskscope::rt::Receiver;
using taskscope::rt::Sender;
using taskscope::rt::Task;
namespace rt = taskscope::rt;

constexpr std::size_t kResultsCapacity = 128;
constexpr std::array<const char*, 19> kUpstreams = {
    "users",     "orders",  "invoices", "payments", "refunds", "products", "inventory",
    "shipments", "returns", "reviews",  "carts",    "coupons", "sessions", "audit",
    "alerts",    "metrics", "billing",  "accounts", "profiles"};
constexpr int kPagesPerUpstream = 7;
constexpr int64_t kPageBytes = 4096;

struct Page {
  std::string url;
  int number = 0;
  std::string body;
};

// One upstream call: waits for the upstream's answer, then streams its pages
// into "results". Latencies differ per upstream, which also makes the order in
// which fetches reach "results" (and so which one gets stuck) repeatable.
static Task<> fetch(std::string url, std::chrono::milliseconds latency, Sender<Page> results) {
  taskscope::Span span("fetch", "url=" + url);
  co_await rt::sleep_for(latency);
  std::vector<Page> answer;
  for (int number = 1; number <= kPagesPerUpstream; ++number)
    answer.push_back(Page{url, number, std::string(kPageBytes, '.')});
  taskscope::memory_delta(kPagesPerUpstream * kPageBytes);
  for (Page& page : answer) {
    co_await results.send(std::move(page));  // waits while "results" is full
    taskscope::memory_delta(-kPageBytes);    // the channel owns the page now
  }
}

static Task<std::string> aggregate(std::size_t capacity) {
  taskscope::Span span("fetch_all");
  auto [results_tx, results] = rt::make_channel<Page>(capacity, "results");
  std::vector<JoinHandle<void>> fetches;
  for (std::size_t i = 0; i < kUpstreams.size(); ++i) {
    const std::string url = std::string("https://upstream/") + kUpstreams[i];
    fetches.push_back(
        rt::spawn("fetch", fetch, url, std::chrono::milliseconds(3 * (i + 1)), results_tx));
  }
  results_tx = Sender<Page>();  // only the fetches send from here on
  // The first page proves the upstreams answer at all: fail fast otherwise.
  auto first = co_await results.recv();
  if (!first) co_return std::string();
  std::string report = first->url + " page " + std::to_string(first->number) + "\n";
  for (auto& handle : fetches) co_await handle.join();  // BUG: joins before draining
  while (auto page = co_await results.recv())
    report += page->url + " page " + std::to_string(page->number) + "\n";
  co_return report;
}

static Task<> handle(std::string request, int connection, std::size_t capacity) {
  taskscope::Span span("handle_report", request);
  auto aggregator = rt::spawn("aggregator", aggregate, capacity);
  const std::string report = co_await aggregator.join();
  const std::string response = "200 OK\n" + report;
  [[maybe_unused]] ssize_t written = ::write(connection, response.data(), response.size());
}

static Task<> accept_loop(int connection, std::size_t capacity) {
  rt::AsyncFd client(connection, "client connection");
  std::array<char, 256> buffer{};
  for (;;) {
    const ssize_t n = co_await client.read_some(buffer.data(), buffer.size());
    if (n <= 0) break;
    std::string request(buffer.data(), static_cast<std::size_t>(n));
    while (!request.empty() && request.back() == '\n') request.pop_back();
    rt::spawn("handler", handle, std::move(request), connection, capacity);
  }
}

// The client: sends one request and waits (unrecorded: it stands for the
// outside world) for the answer.
static bool request_report(int fd, std::chrono::milliseconds deadline) {
  const std::string request = "GET /report\n";
  if (::write(fd, request.data(), request.size()) < 0) return false;
  pollfd readable{fd, POLLIN, 0};
  if (::poll(&readable, 1, static_cast<int>(deadline.count())) != 1) return false;
  std::array<char, 4096> answer{};
  return ::read(fd, answer.data(), answer.size()) > 0;
}

int main(int argc, char** argv) {
  const auto args = taskscope::scenarios::start(argc, argv);
  const std::size_t capacity = args.twin ? 0 : kResultsCapacity;
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sockets) != 0) return 2;
  rt::Executor executor(2);
  auto server = executor.spawn("accept_loop", accept_loop, sockets[0], capacity);
  if (!request_report(sockets[1], 3s)) taskscope::scenarios::hung();
  ::shutdown(sockets[1], SHUT_WR);  // the client is done: accept_loop ends
  server.wait();
  return taskscope::scenarios::completed();
}
