/* What other modules need of initiatives. */
#ifndef TDKT_API_INITIATIVES_H
#define TDKT_API_INITIATIVES_H

/* an initiative's states, NULL-terminated */
extern const char *const initiative_statuses[];

#endif
