// Two threads lock two mutexes in opposite orders; a barrier makes sure each
// holds its first lock before trying the second, so the run always deadlocks.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t account_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t account_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void transfer(pthread_mutex_t* from, pthread_mutex_t* to) {
  pthread_mutex_lock(from);
  pthread_barrier_wait(&both_hold_one);
  pthread_mutex_lock(to);  // deadlocks here
  pthread_mutex_unlock(to);
  pthread_mutex_unlock(from);
}

static void* transfer_a_to_b(void* arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "transfer-1");
  transfer(&account_a, &account_b);
  return NULL;
}

static void* transfer_b_to_a(void* arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "transfer-2");
  transfer(&account_b, &account_a);
  return NULL;
}

int main(void) {
  pthread_barrier_init(&both_hold_one, NULL, 2);
  pthread_t t1, t2;
  pthread_create(&t1, NULL, transfer_a_to_b, NULL);
  pthread_create(&t2, NULL, transfer_b_to_a, NULL);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  puts("done");
  return 0;
}
