/* lib/lsn: the positions clients send in Tdkt-Min-Position (hostile text) and read back. */
#include <string.h>
#include "lib/lsn.h"
#include "tests/unit/check.h"

struct parse_case {
	const char *text;
	bool ok;
	uint64_t value;
};

static const struct parse_case cases[] = {
	{"0/0", true, 0},
	{"16/B374D848", true, 0x16B374D848ULL},
	{"16/b374d848", true, 0x16B374D848ULL},
	{"0/1", true, 1},
	{"FFFFFFFF/FFFFFFFF", true, UINT64_MAX},
	{"00000001/00000000", true, 1ULL << 32},
	{"", false, 0},
	{"/", false, 0},
	{"0/", false, 0},
	{"/0", false, 0},
	{"0", false, 0},
	{"0/0/0", false, 0},
	{"100000000/0", false, 0},     /* 9 digits */
	{"0/100000000", false, 0},
	{"-1/0", false, 0},
	{"+1/0", false, 0},
	{" 1/0", false, 0},
	{"1/0 ", false, 0},
	{"1 /0", false, 0},
	{"0x1/0", false, 0},
	{"G/0", false, 0},
	{"1/0\n", false, 0},
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint64_t v = 12345;
		bool ok = lsn_parse(cases[i].text, &v);
		CHECK(ok == cases[i].ok, "parse \"%s\": %d", cases[i].text, ok);
		if (cases[i].ok)
			CHECK(v == cases[i].value, "parse \"%s\": value", cases[i].text);
		else
			CHECK(v == 12345, "parse \"%s\": out untouched", cases[i].text);
	}
	uint64_t v = 0;
	CHECK(!lsn_parse(NULL, &v), "NULL");

	/* PostgreSQL's own spelling round-trips */
	const char *texts[] = {"0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF", "1/0", "0/3000148"};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char out[LSN_TEXT_MAX];
		CHECK(lsn_parse(texts[i], &v), "%s parses", texts[i]);
		lsn_format(v, out);
		CHECK(strcmp(out, texts[i]) == 0, "%s formats back as %s", texts[i], out);
	}
	/* ordering is numeric, not textual: "9/0" < "10/0", "0/FF" < "0/100" */
	uint64_t a, b;
	CHECK(lsn_parse("9/0", &a) && lsn_parse("10/0", &b) && a < b, "9/0 before 10/0");
	CHECK(lsn_parse("0/FF", &a) && lsn_parse("0/100", &b) && a < b, "0/FF before 0/100");
	CHECK(lsn_parse("1/0", &a) && lsn_parse("0/FFFFFFFF", &b) && a > b, "1/0 after 0/FFFFFFFF");
	return check_done("lsn");
}
