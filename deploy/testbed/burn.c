// gxtb-burn: measures the CPU share a process gets where it runs (the testbed's verify step).
//
// Spins THREADS busy threads for SECONDS of wall time, then prints the CPU time the process used divided by the
// wall time, as a percentage of one core (100 = one full core), e.g. "cpu 29.8% over 2.00 s with 2 threads".
// Inside a device's cgroup this is the device's quota as the scheduler enforces it.
//
//   gxtb-burn SECONDS THREADS

#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static volatile int stop;

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *spin(void *argument) {
    volatile unsigned long counter = 0;
    (void)argument;
    while (!stop) counter++;
    return NULL;
}

int main(int argc, char **argv) {
    char *end1, *end2;
    double seconds = argc == 3 ? strtod(argv[1], &end1) : 0;
    long threads = argc == 3 ? strtol(argv[2], &end2, 10) : 0;
    if (argc != 3 || *end1 != '\0' || *end2 != '\0' || seconds <= 0 || seconds > 600 || threads < 1 || threads > 256) {
        fprintf(stderr, "usage: gxtb-burn SECONDS THREADS   (0 < SECONDS <= 600, 1 <= THREADS <= 256)\n");
        return 2;
    }

    pthread_t workers[256];
    double started = seconds_now();
    for (long i = 0; i < threads; i++) {
        if (pthread_create(&workers[i], NULL, spin, NULL) != 0) {
            perror("gxtb-burn: pthread_create");
            return 1;
        }
    }
    struct timespec pause = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
    nanosleep(&pause, NULL);
    stop = 1;
    for (long i = 0; i < threads; i++) pthread_join(workers[i], NULL);
    double wall = seconds_now() - started;

    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double cpu = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6
               + (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
    printf("cpu %.1f%% over %.2f s with %ld threads\n", 100.0 * cpu / wall, wall, threads);
    return 0;
}
