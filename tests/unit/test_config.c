/* Configuration: defaults, bounds, and errors that name the variable. */
#include <stdlib.h>
#include <string.h>
#include "lib/config.h"
#include "tests/unit/check.h"

static const char *env_name, *env_value;

static const char *fake_env(const char *name)
{
	return env_name && strcmp(name, env_name) == 0 ? env_value : NULL;
}

static const struct {
	const char *name, *value;
	bool ok;
} cases[] = {
	{NULL, NULL, true},
	{"TDKT_THREADS", "64", true},
	{"TDKT_THREADS", "4", true},
	{"TDKT_THREADS", "1024", true},
	{"TDKT_THREADS", "3", false},
	{"TDKT_THREADS", "1025", false},
	{"TDKT_THREADS", "abc", false},
	{"TDKT_THREADS", "", false},
	{"TDKT_THREADS", "12x", false},
	{"TDKT_THREADS", "99999999999999999999999", false},
	{"TDKT_DB_POOL", "0", true},
	{"TDKT_DB_POOL", "65", false},
	{"TDKT_DB_POOL", "-1", false},
	{"TDKT_BODY_LIMIT", "1048576", true},
	{"TDKT_BODY_LIMIT", "100", false},
	{"TDKT_LOG_LEVEL", "debug", true},
	{"TDKT_LOG_LEVEL", "verbose", false},
	{"TDKT_ACCESS_LOG", "off", true},
	{"TDKT_ACCESS_LOG", "no", false},
	{"TDKT_LISTEN", "127.0.0.1:9000", true},
	{"TDKT_LISTEN", "9000", false},
	{"TDKT_LISTEN", "", false},
	{"TDKT_STATEMENT_TIMEOUT_MS", "50", false},
	{"TDKT_TOKEN_TTL", "86401", false},
	{"TDKT_WORKER_STACK_KB", "256", true},
	{"TDKT_WORKER_STACK_KB", "100", false},
	{"TDKT_REQUEST_TIMEOUT_MS", "500", true},
	{"TDKT_REQUEST_TIMEOUT_MS", "499", false},
	{"TDKT_MAX_CONNS_PER_ADDR", "0", true},
	{"TDKT_MAX_CONNS_PER_ADDR", "-1", false},
	{"TDKT_DRAIN_TIMEOUT_MS", "600001", false},
	{"TDKT_READ_DB_POOL", "65", false},
	{"TDKT_READ_DB_POOL", "2", true},
	{"TDKT_MIGRATE_AT_START", "demo", true},
	{"TDKT_MIGRATE_AT_START", "yes", false},
	{"TDKT_MAX_DOCUMENT_BYTES", "1073741824", true},
	{"TDKT_MAX_DOCUMENT_BYTES", "1073741825", false},
	{"TDKT_MAX_DOCUMENT_BYTES", "1023", false},
	{"TDKT_MAX_DOCUMENT_BYTES", "20MiB", false},
};

int main(void)
{
	char err[256];
	struct config c;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		env_name = cases[i].name;
		env_value = cases[i].value;
		err[0] = '\0';
		bool ok = config_load(&c, fake_env, err, sizeof err);
		CHECK(ok == cases[i].ok, "%s=%s: expected %s (%s)", cases[i].name ? cases[i].name : "-",
		      cases[i].value ? cases[i].value : "", cases[i].ok ? "ok" : "error", err);
		if (!ok)
			CHECK(strstr(err, cases[i].name) == err, "error names the variable: %s", err);
	}

	env_name = NULL;
	CHECK(config_load(&c, fake_env, err, sizeof err), "defaults load");
	CHECK(c.threads == 256 && c.body_limit == 1048576 && c.token_ttl == 900, "defaults");
	CHECK(c.max_document_bytes == 20 * 1024 * 1024, "documents up to 20 MiB by default");
	CHECK(c.worker_stack_kb == 1024 && c.request_timeout_ms == 5000 && c.max_conns_per_addr == 64 &&
		      c.drain_timeout_ms == 10000 && c.cors_origins[0] == '\0',
	      "defaults of the robustness settings");
	CHECK(c.db_pool >= 2 && c.db_pool <= 64, "pool defaults to 2 x cores: %ld", c.db_pool);
	CHECK(strcmp(c.listen, "127.0.0.1:8080") == 0, "default listen");
	CHECK(c.read_database_url[0] == '\0' && c.read_db_pool == c.db_pool && c.migrate_at_start == 0,
	      "no replica, its pool as large as the primary's, no migration at start");
	CHECK(!config_require_secret(&c, err, sizeof err) && strstr(err, "TDKT_JWT_SECRET"),
	      "secret required");
	env_name = "TDKT_JWT_SECRET";
	env_value = "short";
	CHECK(config_load(&c, fake_env, err, sizeof err) && !config_require_secret(&c, err, sizeof err),
	      "31-byte secret refused");
	env_value = "0123456789abcdef0123456789abcdef";
	CHECK(config_load(&c, fake_env, err, sizeof err) && config_require_secret(&c, err, sizeof err),
	      "32-byte secret accepted");

	static const struct {
		const char *list, *word;
		bool has;
	} lists[] = {
		{"10.0.0.5 10.0.0.6", "10.0.0.6", true},
		{"10.0.0.5,10.0.0.6", "10.0.0.5", true},
		{"10.0.0.5", "10.0.0.50", false},
		{"10.0.0.50", "10.0.0.5", false},
		{"", "10.0.0.5", false},
		{"  ", "", false},
		{"https://a.gov.vn https://b.gov.vn", "https://b.gov.vn", true},
		{"https://a.gov.vn", "https://a.gov.vn.evil.example", false},
	};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		CHECK(config_list_has(lists[i].list, lists[i].word) == lists[i].has, "list \"%s\" has \"%s\"",
		      lists[i].list, lists[i].word);

	long v;
	CHECK(parse_long_bounded("0", 0, 1, &v) && v == 0, "zero");
	CHECK(!parse_long_bounded("1-", 0, 10, &v), "minus inside");
	CHECK(!parse_long_bounded(" 1", 0, 10, &v), "leading space");
	return check_done("config");
}
