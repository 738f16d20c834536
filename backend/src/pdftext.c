/*
 * pdftext.c — text of a resume PDF, extracted in a child process.
 *
 * kc_pdf_text runs the kocruit-pdftext program (pdftext_main.c, installed beside the backend
 * binary, or $KOCRUIT_PDFTEXT) on the uploaded file with an argv of our own (the path is a
 * server-side temp file, never a client string; no shell), limits its CPU time (and its
 * address space outside sanitizer builds), reads its stdout up to a bound and waits for it.
 * poppler therefore never runs in the service's process: a PDF that crashes or hangs poppler
 * costs one child, and the backend idles without poppler, glib and cairo mapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api.h"

enum {
    PDF_CPU_LIMIT_S = 20,       /* CPU seconds for one document */
    PDF_MEMORY_LIMIT_MB = 1024, /* address space, outside sanitizer builds */
};

static int helper_path(char *buf, size_t cap)
{
    const char *env = getenv("KOCRUIT_PDFTEXT");
    if (env && *env) {
        snprintf(buf, cap, "%s", env);
    } else {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) return -1;
        exe[n] = '\0';
        snprintf(buf, cap, "%s/kocruit-pdftext", dirname(exe));
    }
    return access(buf, X_OK);
}

static void limit_child(void)
{
    struct rlimit cpu = {PDF_CPU_LIMIT_S, PDF_CPU_LIMIT_S};
    setrlimit(RLIMIT_CPU, &cpu);
#if !defined(__SANITIZE_ADDRESS__)
    struct rlimit as = {(rlim_t)PDF_MEMORY_LIMIT_MB << 20, (rlim_t)PDF_MEMORY_LIMIT_MB << 20};
    setrlimit(RLIMIT_AS, &as);
#endif
}

/* Reads all of fd into a malloc'd NUL-terminated buffer of at most cap bytes. */
static char *read_all(int fd, size_t cap, size_t *len)
{
    size_t n = 0, size = 65536;
    char *buf = malloc(size + 1);
    while (buf) {
        if (n == size) {
            if (size >= cap) break;
            size = size * 2 > cap ? cap : size * 2;
            char *nb = realloc(buf, size + 1);
            if (!nb) break;
            buf = nb;
        }
        ssize_t r = read(fd, buf + n, size - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    if (buf) buf[n] = '\0';
    *len = n;
    return buf;
}

char *kc_pdf_text(const char *path, int max_pages, size_t max_bytes, int *pages, struct kc_err *err)
{
    *pages = 0;
    char helper[PATH_MAX + 32], npages[16], nbytes[24];
    if (helper_path(helper, sizeof helper) != 0) {
        kc_err_set(err, KC_E_UNAVAILABLE, "PDF text extraction is unavailable: %s is missing",
                   helper);
        return NULL;
    }
    snprintf(npages, sizeof npages, "%d", max_pages);
    snprintf(nbytes, sizeof nbytes, "%zu", max_bytes);
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        kc_err_set(err, KC_E_IO, "pipe: %s", strerror(errno));
        return NULL;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(out[0]), close(out[1]);
        kc_err_set(err, KC_E_IO, "fork: %s", strerror(errno));
        return NULL;
    }
    if (pid == 0) { /* child: async-signal-safe calls only until execv */
        dup2(out[1], STDOUT_FILENO);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, STDERR_FILENO);
        limit_child();
        char *argv[] = {helper, (char *)path, npages, nbytes, NULL};
        execv(helper, argv);
        _exit(127);
    }
    close(out[1]);
    size_t len = 0;
    char *buf = read_all(out[0], max_bytes + 4096, &len);
    close(out[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!buf) {
        kc_err_set(err, KC_E_NOMEM, "out of memory reading PDF text");
        return NULL;
    }
    char *nl = strchr(buf, '\n');
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && nl) {
        *pages = atoi(buf);
        memmove(buf, nl + 1, len - (size_t)(nl + 1 - buf) + 1);
        return buf;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1 && nl) {
        int code = atoi(buf);
        char field[64] = "";
        sscanf(buf, "%*d %63s", field);
        kc_err_field(err, code > 0 ? (enum kc_err_code)code : KC_E_UNPROCESSABLE,
                     strcmp(field, "-") ? field : "", "%s", nl + 1);
    } else {
        kc_err_field(err, KC_E_UNPROCESSABLE, "file",
                     "file: the PDF could not be processed (the extractor %s)",
                     WIFSIGNALED(status)
                         ? (WTERMSIG(status) == SIGXCPU ? "ran out of time" : "crashed")
                         : "failed");
    }
    free(buf);
    return NULL;
}
