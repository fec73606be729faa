/* Output JSON: jansson (build a tree, json_dumpb) against the service's buffer writer, on the
 * same 50-row list of Vietnamese unit rows. Run by tests/bench/run.sh; prints ns per list. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "lib/buf.h"

#define ROWS 50
#define ROUNDS 4000

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static const char *name = "Thanh tra huyện Đông Hưng số 12345 tỉnh Thái Bình, phòng nghiệp vụ";

static size_t with_jansson(void)
{
	json_t *items = json_array();
	for (int i = 0; i < ROWS; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(1000 + i));
		json_object_set_new(o, "code", json_string("B-12345"));
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "short_name", json_string("TT 12345"));
		json_object_set_new(o, "kind", json_string("district_inspectorate"));
		json_object_set_new(o, "parent_id", json_integer(1));
		json_object_set_new(o, "province_code", json_string("34"));
		json_object_set_new(o, "active", json_true());
		json_object_set_new(o, "version", json_integer(1));
		json_object_set_new(o, "created_at", json_string("2026-11-23T12:19:38Z"));
		json_object_set_new(o, "updated_at", json_string("2026-11-23T12:19:38Z"));
		json_array_append_new(items, o);
	}
	json_t *root = json_pack("{s:o,s:n}", "items", items, "next_cursor");
	char out[65536];
	size_t n = json_dumpb(root, out, sizeof out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	return n;
}

static size_t with_buf(struct buf *b)
{
	buf_reset(b);
	buf_puts(b, "{\"items\":[");
	for (int i = 0; i < ROWS; i++) {
		if (i)
			buf_putc(b, ',');
		buf_putc(b, '{');
		buf_json_key(b, "id"); buf_json_int(b, 1000 + i); buf_putc(b, ',');
		buf_json_key(b, "code"); buf_json_cstr(b, "B-12345"); buf_putc(b, ',');
		buf_json_key(b, "name"); buf_json_cstr(b, name); buf_putc(b, ',');
		buf_json_key(b, "short_name"); buf_json_cstr(b, "TT 12345"); buf_putc(b, ',');
		buf_json_key(b, "kind"); buf_json_cstr(b, "district_inspectorate"); buf_putc(b, ',');
		buf_json_key(b, "parent_id"); buf_append(b, "1", 1); buf_putc(b, ',');
		buf_json_key(b, "province_code"); buf_json_cstr(b, "34"); buf_putc(b, ',');
		buf_json_key(b, "active"); buf_append(b, "true", 4); buf_putc(b, ',');
		buf_json_key(b, "version"); buf_append(b, "1", 1); buf_putc(b, ',');
		buf_json_key(b, "created_at"); buf_json_cstr(b, "2026-11-23T12:19:38Z"); buf_putc(b, ',');
		buf_json_key(b, "updated_at"); buf_json_cstr(b, "2026-11-23T12:19:38Z");
		buf_putc(b, '}');
	}
	buf_puts(b, "],\"next_cursor\":null}");
	return b->len;
}

int main(void)
{
	struct buf b;
	buf_init(&b);
	size_t n1 = 0, n2 = 0;
	double t0 = now_ns();
	for (int i = 0; i < ROUNDS; i++)
		n1 = with_jansson();
	double t1 = now_ns();
	for (int i = 0; i < ROUNDS; i++)
		n2 = with_buf(&b);
	double t2 = now_ns();
	printf("50-row list (%zu / %zu bytes): jansson %.1f us, buffer writer %.1f us per list (%.1fx)\n", n1, n2,
	       (t1 - t0) / ROUNDS / 1000, (t2 - t1) / ROUNDS / 1000, (t1 - t0) / (t2 - t1));
	buf_free(&b);
	return n1 == n2 ? 0 : 1;
}
