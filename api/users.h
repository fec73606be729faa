/* What the users resource shares with /v1/me and the login: the row shape and its JSON. */
#ifndef TDKT_API_USERS_H
#define TDKT_API_USERS_H
#include "lib/db.h"

#define USER_COLUMNS \
	"u.id, u.username, u.display_name, u.role, u.unit_id, u.active, u.version, u.created_at, u.updated_at"
enum { USER_C_ID, USER_C_USERNAME, USER_C_DISPLAY_NAME, USER_C_ROLE, USER_C_UNIT_ID, USER_C_ACTIVE, USER_C_VERSION };

#define USERNAME_MAX 64

/* username rule shared by the API, the database constraint and `tdkt user add`: 3-64 ASCII
 * letters, digits, '.', '_', '@', '-', starting with a letter or digit */
bool username_ok(const char *s, size_t n);
/* The one stored form of a name: username_ok, with ASCII letters lower-cased, into out
 * (USERNAME_MAX + 1 bytes). false when s is not a username. Never Unicode case folding:
 * PostgreSQL's lower() would make the Kelvin sign a 'k' and a dotted capital I an 'i'. */
bool username_canonical(const char *s, size_t n, char *out);

/* For `tdkt user add`: the resource's own insert, on a connection of its own. new result (NULL
 * when out of memory); the caller checks its status. */
PGresult *users_insert(PGconn *pg, const char *username, const char *display_name, const char *role, long long unit_id,
		       const char *password_hash);

#endif
