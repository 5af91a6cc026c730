// A non-recursive mutex locked twice by the same thread: the second lock waits
// for the thread itself.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static int entries;

static void add_entry(void) {
  pthread_mutex_lock(&registry_lock);  // already held by register_twice
  ++entries;
  pthread_mutex_unlock(&registry_lock);
}

static void register_twice(void) {
  pthread_mutex_lock(&registry_lock);
  add_entry();
  pthread_mutex_unlock(&registry_lock);
}

int main(void) {
  register_twice();
  printf("entries %d\n", entries);
  return 0;
}
