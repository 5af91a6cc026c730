// A consumer waits for an item that nobody will ever produce.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_not_empty = PTHREAD_COND_INITIALIZER;
static int items;

static void* consumer(void* arg) {
  (void)arg;
  pthread_mutex_lock(&queue_lock);
  while (items == 0) pthread_cond_wait(&queue_not_empty, &queue_lock);
  --items;
  pthread_mutex_unlock(&queue_lock);
  return NULL;
}

int main(void) {
  pthread_t thread;
  pthread_create(&thread, NULL, consumer, NULL);
  pthread_join(thread, NULL);
  puts("done");
  return 0;
}
