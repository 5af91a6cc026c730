// A thread returns while still holding a mutex; afterwards another thread
// locks that mutex and can never get it.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;

static void* reload_config(void* arg) {
  (void)arg;
  pthread_mutex_lock(&config_lock);
  // forgot: pthread_mutex_unlock(&config_lock);
  return NULL;
}

static void* read_config(void* arg) {
  (void)arg;
  pthread_mutex_lock(&config_lock);
  pthread_mutex_unlock(&config_lock);
  return NULL;
}

int main(void) {
  pthread_t reloader, reader;
  pthread_create(&reloader, NULL, reload_config, NULL);
  pthread_join(reloader, NULL);
  pthread_create(&reader, NULL, read_config, NULL);
  pthread_join(reader, NULL);
  puts("done");
  return 0;
}
