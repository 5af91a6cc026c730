// Producer/consumer over a bounded ring with two semaphores; runs to completion.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

#define kSlots 4
#define kItems 2000

static sem_t free_slots, full_slots;
static int ring[kSlots];
static long sum;

static void* producer(void* arg) {
  (void)arg;
  for (int i = 0; i < kItems; ++i) {
    sem_wait(&free_slots);
    ring[i % kSlots] = i;
    sem_post(&full_slots);
  }
  return NULL;
}

static void* consumer(void* arg) {
  (void)arg;
  for (int i = 0; i < kItems; ++i) {
    sem_wait(&full_slots);
    sum += ring[i % kSlots];
    sem_post(&free_slots);
  }
  return NULL;
}

int main(void) {
  sem_init(&free_slots, 0, kSlots);
  sem_init(&full_slots, 0, 0);
  pthread_t p, c;
  pthread_create(&p, NULL, producer, NULL);
  pthread_create(&c, NULL, consumer, NULL);
  pthread_join(p, NULL);
  pthread_join(c, NULL);
  sem_destroy(&free_slots);
  sem_destroy(&full_slots);
  printf("sum %ld\n", sum);
  return 0;
}
