// std::mutex, std::unique_lock and std::condition_variable used the ordinary
// way, built twice (-O0 and -O2, see ../CMakeLists.txt): every recorded
// location must be a line of this file. Each line that takes the mutex is
// marked "taken here"; the test reads the marks from this source.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace {

std::mutex balance_lock;
std::condition_variable funded;
long balance = 0;

void deposit(long amount) {
  std::lock_guard<std::mutex> guard(balance_lock);  // taken here
  balance += amount;
  funded.notify_one();
}

bool try_peek(long* out) {
  if (!balance_lock.try_lock()) return false;  // taken here
  *out = balance;
  balance_lock.unlock();
  return true;
}

void withdraw(long amount) {
  std::unique_lock<std::mutex> lock(balance_lock);  // taken here
  funded.wait(lock, [&] { return balance >= amount; });  // taken here
  balance -= amount;
}

}  // namespace

int main() {
  // Several calls from several places: the location is the program's line,
  // not a libstdc++ wrapper shared by all of them.
  deposit(1);
  deposit(2);
  std::thread spender([] { withdraw(10); });
  for (int i = 0; i < 7; ++i) deposit(1);
  spender.join();
  long left = -1;
  while (!try_peek(&left)) {
  }
  std::printf("%ld\n", left);
}
