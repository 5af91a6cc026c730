// The notification is sent before anyone waits, and the waiter checks no
// predicate: it waits for a wakeup that already happened.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;

static void* waiter(void* arg) {
  (void)arg;
  pthread_mutex_lock(&ready_lock);
  pthread_cond_wait(&ready, &ready_lock);  // no predicate: the signal is gone
  pthread_mutex_unlock(&ready_lock);
  return NULL;
}

int main(void) {
  pthread_mutex_lock(&ready_lock);
  pthread_cond_signal(&ready);
  pthread_mutex_unlock(&ready_lock);
  pthread_t thread;
  pthread_create(&thread, NULL, waiter, NULL);
  pthread_join(thread, NULL);
  puts("done");
  return 0;
}
