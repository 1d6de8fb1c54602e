/*
 * replay.c: run a fuzz target's LLVMFuzzerTestOneInput over saved
 * inputs, without libFuzzer, so that `make check` replays the corpus
 * with an ordinary compiler.
 *
 *	replay [FILE | DIRECTORY]...
 *
 * Each file is passed to the target once; each directory's regular
 * files likewise, in name order (entries starting with '.' skipped, no
 * recursion).  Without arguments the directories of REPLAY_CORPUS, a
 * colon-separated list set at compile time, are used.  Exits 0 when
 * every input ran (a failed check in the target aborts instead), 1 if
 * an argument cannot be read or there was no input at all.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long	replay_count;

/* Read a whole file into a block of exactly its size. */
static int
replay_file(const char *path)
{
	FILE	*fp;
	uint8_t	*data = NULL, *p;
	size_t	 len = 0, cap = 0, n;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			if ((p = realloc(data, cap)) == NULL) {
				fprintf(stderr, "replay: %s: out of memory\n",
				    path);
				free(data);
				fclose(fp);
				return (-1);
			}
			data = p;
		}
		n = fread(data + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(data);
		fclose(fp);
		return (-1);
	}
	fclose(fp);

	/* Exact size, so that reads past the end are caught by ASan. */
	if ((p = malloc(len > 0 ? len : 1)) == NULL) {
		free(data);
		return (-1);
	}
	if (len > 0)
		memcpy(p, data, len);
	free(data);
	(void)LLVMFuzzerTestOneInput(p, len);
	free(p);
	replay_count++;
	return (0);
}

static int
replay_cmp(const void *a, const void *b)
{
	return (strcmp(*(char * const *)a, *(char * const *)b));
}

static int
replay_dir(const char *dir)
{
	DIR		 *d;
	struct dirent	 *de;
	struct stat	  st;
	char		**names = NULL, **np, *path;
	size_t		  n = 0, cap = 0, i, len;
	int		  rc = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		len = strlen(dir) + 1 + strlen(de->d_name) + 1;
		if ((path = malloc(len)) == NULL) {
			rc = -1;
			break;
		}
		snprintf(path, len, "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((np = realloc(names, cap * sizeof(*np))) == NULL) {
				free(path);
				rc = -1;
				break;
			}
			names = np;
		}
		names[n++] = path;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), replay_cmp);
	for (i = 0; i < n; i++) {
		if (rc == 0 && replay_file(names[i]) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	if (rc != 0)
		fprintf(stderr, "replay: %s: failed\n", dir);
	return (rc);
}

static int
replay_path(const char *path)
{
	struct stat	 st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	if (S_ISDIR(st.st_mode))
		return (replay_dir(path));
	return (replay_file(path));
}

int
main(int argc, char *argv[])
{
	int	 i, rc = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (replay_path(argv[i]) != 0)
				rc = 1;
	} else {
#ifdef REPLAY_CORPUS
		char	*list, *dir, *save = NULL;

		if ((list = strdup(REPLAY_CORPUS)) == NULL)
			return (1);
		for (dir = strtok_r(list, ":", &save); dir != NULL;
		    dir = strtok_r(NULL, ":", &save))
			if (replay_path(dir) != 0)
				rc = 1;
		free(list);
#else
		fprintf(stderr, "usage: %s file-or-directory...\n",
		    argv[0]);
		return (1);
#endif
	}
	printf("replay: %lu input%s run\n", replay_count,
	    replay_count == 1 ? "" : "s");
	if (replay_count == 0)
		rc = 1;
	return (rc);
}
