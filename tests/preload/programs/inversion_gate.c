// The same inversion as inversion.c, but every path holds a gate lock first:
// the two orders can never interleave, so there is no potential deadlock.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static int balance;

static void* a_then_b(void* arg) {
  (void)arg;
  pthread_mutex_lock(&gate);
  pthread_mutex_lock(&lock_a);
  pthread_mutex_lock(&lock_b);
  ++balance;
  pthread_mutex_unlock(&lock_b);
  pthread_mutex_unlock(&lock_a);
  pthread_mutex_unlock(&gate);
  return NULL;
}

static void* b_then_a(void* arg) {
  (void)arg;
  usleep(50 * 1000);
  pthread_mutex_lock(&gate);
  pthread_mutex_lock(&lock_b);
  pthread_mutex_lock(&lock_a);
  ++balance;
  pthread_mutex_unlock(&lock_a);
  pthread_mutex_unlock(&lock_b);
  pthread_mutex_unlock(&gate);
  return NULL;
}

int main(void) {
  pthread_t t1, t2;
  pthread_create(&t1, NULL, a_then_b, NULL);
  pthread_create(&t2, NULL, b_then_a, NULL);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  printf("balance %d\n", balance);
  return 0;
}
