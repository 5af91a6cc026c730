// Opposite lock orders in two threads that can never overlap: the second
// thread is created only after the first was joined (happens-before).
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static int balance;

static void* a_then_b(void* arg) {
  (void)arg;
  pthread_mutex_lock(&lock_a);
  pthread_mutex_lock(&lock_b);
  ++balance;
  pthread_mutex_unlock(&lock_b);
  pthread_mutex_unlock(&lock_a);
  return NULL;
}

static void* b_then_a(void* arg) {
  (void)arg;
  pthread_mutex_lock(&lock_b);
  pthread_mutex_lock(&lock_a);
  ++balance;
  pthread_mutex_unlock(&lock_a);
  pthread_mutex_unlock(&lock_b);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, a_then_b, NULL);
  pthread_join(t, NULL);
  pthread_create(&t, NULL, b_then_a, NULL);
  pthread_join(t, NULL);
  printf("balance %d\n", balance);
  return 0;
}
