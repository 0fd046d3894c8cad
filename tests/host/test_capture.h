/* SPDX-License-Identifier: MIT */
/*
 * Capture what the portable core writes to the console.  The hosted shim's
 * arch_console_write() writes to fd 2; capture_begin() points fd 2 at an
 * anonymous file and capture_end() reads it back and restores fd 2.
 * Header-only so it is linked only into the tests that include it.
 */
#ifndef TESTS_HOST_TEST_CAPTURE_H
#define TESTS_HOST_TEST_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct capture {
	int saved_fd;
	int fd;
	char *text;		/* after capture_end(): NUL-terminated, malloc'd */
	size_t len;
};

static inline void capture_begin(struct capture *c)
{
	fflush(stderr);
	c->fd = memfd_create("console", 0);
	c->saved_fd = dup(2);
	c->text = NULL;
	c->len = 0;
	if (c->fd < 0 || c->saved_fd < 0 || dup2(c->fd, 2) < 0) {
		perror("capture_begin");
		exit(2);
	}
}

/* Stop capturing; the text is in c->text (free with capture_free). */
static inline const char *capture_end(struct capture *c)
{
	off_t n = lseek(c->fd, 0, SEEK_END);

	dup2(c->saved_fd, 2);
	close(c->saved_fd);
	c->text = calloc(1, (size_t)n + 1);
	if (!c->text || pread(c->fd, c->text, (size_t)n, 0) != n) {
		perror("capture_end");
		exit(2);
	}
	c->len = (size_t)n;
	close(c->fd);
	return c->text;
}

static inline void capture_free(struct capture *c)
{
	free(c->text);
	c->text = NULL;
}

#endif /* TESTS_HOST_TEST_CAPTURE_H */
