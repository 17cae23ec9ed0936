/*
 * trivial_responder.c - the fastest QMP "server" that still speaks the wire format, to show that the
 * load generator is not what limits a benchmark cell.
 *
 * Build: gcc -O2 -Wall -Wextra -o trivial_responder trivial_responder.c
 * Run:   ./trivial_responder PATH SECONDS
 *
 * Listens on the unix socket PATH for at most SECONDS (bounded, 1..7200), serves up to 64 clients at
 * once from one thread with poll(): sends a QEMU-shaped greeting, then answers every input line with
 * {"return": {}} carrying the line's "id" value verbatim (numbers and simple strings, as qmp-load
 * sends). No JSON parsing, no dispatch: a ceiling, not a server.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64
#define IN_CAP (1 << 20)
#define OUT_CAP (1 << 21)

static const char GREETING[] =
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, \"major\": 0}, \"package\": \"\"}, "
    "\"capabilities\": [\"oob\"]}}\r\n";

struct client {
    int fd;
    size_t in_len;
    char *in;
    char *out;
};

static void answer(struct client *c, const char *line, size_t len, size_t *out_len)
{
    const char *id = memmem(line, len, "\"id\":", 5);
    size_t n;
    if (id) {
        const char *v = id + 5;
        const char *end = line + len;
        while (v < end && *v == ' ')
            v++;
        const char *e = v;
        while (e < end && *e != '}' && *e != ',')
            e++;
        n = (size_t)snprintf(c->out + *out_len, OUT_CAP - *out_len, "{\"return\": {}, \"id\": %.*s}\r\n",
                             (int)(e - v), v);
    } else {
        n = (size_t)snprintf(c->out + *out_len, OUT_CAP - *out_len, "{\"return\": {}}\r\n");
    }
    if (*out_len + n < OUT_CAP)
        *out_len += n;
}

static int write_all(int fd, const char *b, size_t n)
{
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                struct pollfd p = {fd, POLLOUT, 0};
                if (poll(&p, 1, 5000) <= 0)
                    return -1;
                continue;
            }
            return -1;
        }
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: trivial_responder PATH SECONDS\n");
        return 2;
    }
    int seconds = atoi(argv[2]);
    if (seconds < 1 || seconds > 7200) {
        fprintf(stderr, "SECONDS must be 1..7200\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    alarm((unsigned)seconds + 5);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof a.sun_path) {
        fprintf(stderr, "path too long\n");
        return 2;
    }
    strcpy(a.sun_path, argv[1]);
    unlink(argv[1]);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 128)) {
        perror("bind/listen");
        return 2;
    }
    struct pollfd pfd[MAX_CLIENTS + 1];
    struct client cl[MAX_CLIENTS];
    int n = 0;
    time_t end = time(NULL) + seconds;
    while (time(NULL) < end) {
        pfd[0] = (struct pollfd){ls, n < MAX_CLIENTS ? POLLIN : 0, 0};
        for (int i = 0; i < n; i++)
            pfd[i + 1] = (struct pollfd){cl[i].fd, POLLIN, 0};
        if (poll(pfd, (nfds_t)n + 1, 1000) < 0) {
            if (errno == EINTR)
                continue;
            perror("poll");
            return 1;
        }
        if (pfd[0].revents & POLLIN) {
            int fd = accept(ls, NULL, NULL);
            if (fd >= 0) {
                cl[n] = (struct client){fd, 0, malloc(IN_CAP), malloc(OUT_CAP)};
                if (!cl[n].in || !cl[n].out || write_all(fd, GREETING, sizeof GREETING - 1)) {
                    close(fd);
                } else {
                    n++;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!(pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            struct client *c = &cl[i];
            ssize_t r = read(c->fd, c->in + c->in_len, IN_CAP - c->in_len);
            if (r <= 0) {
                close(c->fd);
                free(c->in);
                free(c->out);
                cl[i] = cl[--n];
                pfd[i + 1] = pfd[n + 1];
                i--;
                continue;
            }
            c->in_len += (size_t)r;
            size_t start = 0, out_len = 0;
            for (size_t j = 0; j < c->in_len; j++) {
                if (c->in[j] == '\n') {
                    answer(c, c->in + start, j - start, &out_len);
                    start = j + 1;
                }
            }
            memmove(c->in, c->in + start, c->in_len - start);
            c->in_len -= start;
            if (c->in_len == IN_CAP)
                c->in_len = 0; /* a line over 1 MiB: drop it, this is a ceiling probe */
            if (out_len && write_all(c->fd, c->out, out_len))
                c->in_len = 0;
        }
    }
    unlink(argv[1]);
    return 0;
}
