/* What the users resource shares with /v1/me and the login: the row shape and its JSON. */
#ifndef TDKT_API_USERS_H
#define TDKT_API_USERS_H
#include "lib/db.h"

#define USER_COLUMNS \
	"u.id, u.username, u.display_name, u.role, u.unit_id, u.active, u.version, u.created_at, u.updated_at"
extern const struct db_col user_cols[];
extern const int user_ncols;
enum { USER_C_ID, USER_C_USERNAME, USER_C_DISPLAY_NAME, USER_C_ROLE, USER_C_UNIT_ID, USER_C_ACTIVE, USER_C_VERSION };

/* username rule shared by the API, the database constraint and `tdkt user add` */
bool username_ok(const char *s, size_t n);

#endif
