/* The route table: one line per resource module. */
#include "api/api.h"

extern const struct api_module health_module;
extern const struct api_module units_module;
extern const struct api_module authz_module;
extern const struct api_module write_module;
extern const struct api_module audit_module;
extern const struct api_module auth_module;
extern const struct api_module me_module;
extern const struct api_module users_module;
extern const struct api_module people_module;
extern const struct api_module indicators_module;
extern const struct api_module clusters_module;
extern const struct api_module campaigns_module;
extern const struct api_module registrations_module;
extern const struct api_module initiatives_module;
extern const struct api_module award_kinds_module;
extern const struct api_module awards_module;

static const struct api_module *const modules[] = {
	&health_module,
	&authz_module,
	&write_module,
	&audit_module,
	&units_module,
	&auth_module,
	&me_module,
	&users_module,
	&people_module,
	&indicators_module,
	&clusters_module,
	&campaigns_module,
	&registrations_module,
	&initiatives_module,
	&award_kinds_module,
	&awards_module,
};

const struct api_module *const *api_modules(size_t *n)
{
	*n = API_COUNT(modules);
	return modules;
}
