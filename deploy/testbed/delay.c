// gxtb-delay: the testbed's receive-side link delay (this kernel has no netem).
//
// iptables hands every IPv4 packet that enters a namespace's eth0 to NFQUEUE; this program, running in that
// namespace, holds each packet for  base + delay(source address)  and then accepts it. With one program per
// namespace, base = the namespace's own link delay and delay(source) = the sending device's link delay, a
// packet from device A to device B is held d_A + d_B: it crossed both access links of the emulated switch.
//
// Packets are held in a min-heap on their release time, so differing delays per source never reorder packets
// of one source (their release times are increasing). Only the first 20 bytes of a packet are copied to user
// space (the IPv4 header, for the source address). The queue is opened fail-open: when it is full the kernel
// accepts packets undelayed rather than dropping them (counted in the statistics printed at exit).
//
//   gxtb-delay --queue N --base-us US [--peer A.B.C.D=US]... [--max-held N]
//
// Exits 0 on SIGTERM/SIGINT, 2 on bad arguments, 1 when the queue cannot be opened (e.g. no NFQUEUE support).

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PEERS 256

typedef struct {
    uint64_t due_ns;   // CLOCK_MONOTONIC time at which the packet is accepted
    uint64_t order;    // arrival number, breaks ties so equal release times keep arrival order
    uint32_t id;       // the kernel's packet id
} held_packet;

typedef struct {
    uint32_t address;  // network byte order
    uint64_t delay_ns;
} peer_delay;

static held_packet *heap;
static size_t heap_count, heap_capacity;
static uint64_t arrivals, released, passed_at_once, unknown_source;
static peer_delay peers[MAX_PEERS];
static size_t peer_count;
static uint64_t base_ns;
static struct nfq_q_handle *queue_handle;
static volatile sig_atomic_t stopping;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int earlier(const held_packet *a, const held_packet *b) {
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->order < b->order);
}

static void heap_push(held_packet p) {
    size_t i = heap_count++;
    heap[i] = p;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!earlier(&heap[i], &heap[parent])) break;
        held_packet t = heap[i]; heap[i] = heap[parent]; heap[parent] = t;
        i = parent;
    }
}

static held_packet heap_pop(void) {
    held_packet top = heap[0];
    heap[0] = heap[--heap_count];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < heap_count && earlier(&heap[l], &heap[m])) m = l;
        if (r < heap_count && earlier(&heap[r], &heap[m])) m = r;
        if (m == i) break;
        held_packet t = heap[i]; heap[i] = heap[m]; heap[m] = t;
        i = m;
    }
    return top;
}

static void accept_packet(uint32_t id) {
    if (nfq_set_verdict(queue_handle, id, NF_ACCEPT, 0, NULL) < 0) {
        perror("gxtb-delay: verdict");
    }
}

static uint64_t delay_of(const unsigned char *payload, int length) {
    if (length < 20 || (payload[0] >> 4) != 4) {
        return base_ns;
    }
    uint32_t source;
    memcpy(&source, payload + 12, 4);
    for (size_t i = 0; i < peer_count; i++) {
        if (peers[i].address == source) return base_ns + peers[i].delay_ns;
    }
    unknown_source++;
    return base_ns;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *message, struct nfq_data *data, void *context) {
    (void)qh; (void)message; (void)context;
    struct nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr(data);
    if (header == NULL) return 0;
    uint32_t id = ntohl(header->packet_id);
    unsigned char *payload = NULL;
    int length = nfq_get_payload(data, &payload);
    uint64_t delay = delay_of(payload, length);
    arrivals++;
    if (delay == 0 || heap_count == heap_capacity) {
        passed_at_once += delay != 0;
        accept_packet(id);
        return 0;
    }
    held_packet p = { now_ns() + delay, arrivals, id };
    heap_push(p);
    return 0;
}

static void release_due(void) {
    uint64_t now = now_ns();
    while (heap_count > 0 && heap[0].due_ns <= now) {
        accept_packet(heap_pop().id);
        released++;
    }
}

static void on_signal(int signal_number) {
    (void)signal_number;
    stopping = 1;
}

static int parse_us(const char *text, uint64_t *ns) {
    char *end;
    errno = 0;
    unsigned long long us = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || us > 10000000ull) return -1;
    *ns = (uint64_t)us * 1000ull;
    return 0;
}

static void usage(void) {
    fprintf(stderr, "usage: gxtb-delay --queue N --base-us US [--peer A.B.C.D=US]... [--max-held N]\n"
                    "  holds each packet NFQUEUE N hands over for US(base) + US(peer of its source), then accepts it\n");
}

int main(int argc, char **argv) {
    long queue_number = -1;
    long max_held = 1 << 16;
    int have_base = 0;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--queue") == 0 && value) {
            char *end;
            queue_number = strtol(value, &end, 10);
            if (*end != '\0' || queue_number < 0 || queue_number > 65535) { fprintf(stderr, "gxtb-delay: --queue must be 0-65535, got '%s'\n", value); return 2; }
            i++;
        } else if (strcmp(argv[i], "--base-us") == 0 && value) {
            if (parse_us(value, &base_ns) < 0) { fprintf(stderr, "gxtb-delay: --base-us must be 0-10000000 microseconds, got '%s'\n", value); return 2; }
            have_base = 1;
            i++;
        } else if (strcmp(argv[i], "--peer") == 0 && value) {
            char address[64];
            const char *equals = strchr(value, '=');
            if (equals == NULL || (size_t)(equals - value) >= sizeof address || peer_count == MAX_PEERS) {
                fprintf(stderr, "gxtb-delay: --peer takes A.B.C.D=microseconds (at most %d peers), got '%s'\n", MAX_PEERS, value);
                return 2;
            }
            memcpy(address, value, (size_t)(equals - value));
            address[equals - value] = '\0';
            struct in_addr parsed;
            if (inet_pton(AF_INET, address, &parsed) != 1 || parse_us(equals + 1, &peers[peer_count].delay_ns) < 0) {
                fprintf(stderr, "gxtb-delay: --peer takes A.B.C.D=microseconds, got '%s'\n", value);
                return 2;
            }
            peers[peer_count++].address = parsed.s_addr;
            i++;
        } else if (strcmp(argv[i], "--max-held") == 0 && value) {
            char *end;
            max_held = strtol(value, &end, 10);
            if (*end != '\0' || max_held < 1 || max_held > (1 << 22)) { fprintf(stderr, "gxtb-delay: --max-held must be 1-4194304, got '%s'\n", value); return 2; }
            i++;
        } else {
            usage();
            return 2;
        }
    }
    if (queue_number < 0 || !have_base) {
        usage();
        return 2;
    }

    heap_capacity = (size_t)max_held;
    heap = calloc(heap_capacity, sizeof *heap);
    if (heap == NULL) { perror("gxtb-delay: calloc"); return 1; }

    struct nfq_handle *handle = nfq_open();
    if (handle == NULL) { perror("gxtb-delay: nfq_open (is NFQUEUE supported and are we root?)"); return 1; }
    queue_handle = nfq_create_queue(handle, (uint16_t)queue_number, on_packet, NULL);
    if (queue_handle == NULL) { fprintf(stderr, "gxtb-delay: cannot bind queue %ld (another program holds it?)\n", queue_number); return 1; }
    if (nfq_set_mode(queue_handle, NFQNL_COPY_PACKET, 20) < 0) { perror("gxtb-delay: nfq_set_mode"); return 1; }
    nfq_set_queue_maxlen(queue_handle, (uint32_t)max_held);
    nfq_set_queue_flags(queue_handle, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
    nfnl_rcvbufsiz(nfq_nfnlh(handle), 16u << 20);
    int fd = nfq_fd(handle);

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);

    fprintf(stderr, "gxtb-delay: queue %ld, base %llu us, %zu peers\n", queue_number, (unsigned long long)(base_ns / 1000), peer_count);
    static char buffer[1 << 16];
    uint64_t overruns = 0;
    while (!stopping) {
        release_due();
        struct timespec timeout, *wait = NULL;
        if (heap_count > 0) {
            uint64_t now = now_ns();
            uint64_t left = heap[0].due_ns > now ? heap[0].due_ns - now : 0;
            timeout.tv_sec = (time_t)(left / 1000000000ull);
            timeout.tv_nsec = (long)(left % 1000000000ull);
            wait = &timeout;
        }
        struct pollfd ready = { fd, POLLIN, 0 };
        int polled = ppoll(&ready, 1, wait, NULL);
        if (polled < 0) {
            if (errno == EINTR) continue;
            perror("gxtb-delay: ppoll");
            return 1;
        }
        if (polled == 0) continue;
        for (;;) {
            ssize_t received = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (received < 0) {
                if (errno == ENOBUFS) { overruns++; continue; }
                break;  // EAGAIN: drained
            }
            nfq_handle_packet(handle, buffer, (int)received);
        }
    }

    // Let every held packet go before leaving, so stopping the delay never drops traffic.
    while (heap_count > 0) accept_packet(heap_pop().id);
    fprintf(stderr, "gxtb-delay: stopped; %llu packets, %llu delayed, %llu passed at once (queue full), %llu from unknown sources, %llu socket overruns\n",
            (unsigned long long)arrivals, (unsigned long long)released, (unsigned long long)passed_at_once,
            (unsigned long long)unknown_source, (unsigned long long)overruns);
    nfq_destroy_queue(queue_handle);
    nfq_close(handle);
    return 0;
}
