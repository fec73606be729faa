/* lib/answer_cache: kept answers by key and variant and by name, their notes, the least recently
 * used dropped for entries and for bytes, one too large never kept, a key kept again replaced. */
#include <string.h>
#include "lib/answer_cache.h"
#include "tests/unit/check.h"

static bool has(struct answer_cache *c, long long key, int variant, const char *want, const char *note_want)
{
	struct buf b;
	char note[ANSWER_NOTE_MAX];
	buf_init(&b);
	bool found = answer_cache_get(c, key, variant, &b, note);
	bool ok = want ? found && b.len == strlen(want) && memcmp(b.data, want, b.len) == 0 &&
				 (!note_want || strcmp(note, note_want) == 0)
		       : !found && b.len == 0;
	buf_free(&b);
	return ok;
}

int main(void)
{
	struct answer_cache *c = answer_cache_new(3, 20);
	CHECK(c != NULL, "new");
	CHECK(has(c, 1, 0, NULL, NULL), "empty");
	answer_cache_put(c, 1, 0, "json-1", 6, NULL);
	answer_cache_put(c, 1, 1, "csv-1", 5, "attachment; filename=\"a.csv\"");
	CHECK(has(c, 1, 0, "json-1", ""), "kept");
	CHECK(has(c, 1, 1, "csv-1", "attachment; filename=\"a.csv\""), "a variant apart, with its note");
	CHECK(has(c, 2, 0, NULL, NULL), "another key is not kept");
	/* a third entry fits (16 bytes of 20); a fourth drops the least recently used: (1, 0) was read
	 * after (1, 1)... then (1, 1) read again, so (1, 0) goes */
	answer_cache_put(c, 2, 0, "xxxxx", 5, NULL);
	CHECK(has(c, 1, 1, "csv-1", NULL), "read again");
	answer_cache_put(c, 3, 0, "yyy", 3, NULL);
	CHECK(has(c, 1, 0, NULL, NULL) && has(c, 3, 0, "yyy", NULL) && has(c, 1, 1, "csv-1", NULL), "least recent dropped");
	/* bytes: 12 more than 20 in all drops until it fits */
	answer_cache_put(c, 4, 0, "zzzzzzzzzzzz", 12, NULL);
	CHECK(has(c, 4, 0, "zzzzzzzzzzzz", NULL), "kept after room was made");
	CHECK(!has(c, 2, 0, "xxxxx", NULL), "dropped for bytes");
	answer_cache_put(c, 5, 0, "123456789012345678901", 21, NULL);
	CHECK(has(c, 5, 0, NULL, NULL), "larger than the cache: not kept");
	answer_cache_put(c, 4, 0, "new", 3, "n");
	CHECK(has(c, 4, 0, "new", "n"), "kept again: replaced");
	answer_cache_free(c);

	/* by name: a list's page under its query and the position it was read at */
	c = answer_cache_new(2, 100);
	struct buf b;
	char note[ANSWER_NOTE_MAX];
	buf_init(&b);
	answer_cache_put_named(c, "17|proposals|limit=50", "page-a", 6, "W/\"aaa\"");
	CHECK(answer_cache_get_named(c, "17|proposals|limit=50", &b, note) && b.len == 6 && strcmp(note, "W/\"aaa\"") == 0,
	      "kept by name, with its note");
	buf_reset(&b);
	CHECK(!answer_cache_get_named(c, "18|proposals|limit=50", &b, note) && b.len == 0, "another position: not kept");
	CHECK(!answer_cache_get_named(c, "17|proposals|limit=5", &b, note), "a prefix of a name is another name");
	answer_cache_put(c, 17, 0, "numbered", 8, NULL);
	CHECK(answer_cache_get_named(c, "17|proposals|limit=50", &b, note) && has(c, 17, 0, "numbered", ""),
	      "names and numbers apart");
	/* the list changed: its page at the new position takes the least recently used slot */
	answer_cache_put_named(c, "18|proposals|limit=50", "page-b", 6, NULL);
	buf_reset(&b);
	CHECK(!answer_cache_get_named(c, "17|proposals|limit=50", &b, note) && has(c, 17, 0, "numbered", NULL) &&
	      answer_cache_get_named(c, "18|proposals|limit=50", &b, note) && memcmp(b.data, "page-b", 6) == 0,
	      "the old position ages out");
	buf_free(&b);
	answer_cache_free(c);
	answer_cache_free(NULL);
	CHECK(answer_cache_new(0, 10) == NULL, "no entries: no cache");
	return check_done("answer_cache");
}
