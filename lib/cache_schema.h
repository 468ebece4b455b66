/* cache_schema.h - the cache's tables and views, and their migrations */
#ifndef TP_CACHE_SCHEMA_H
#define TP_CACHE_SCHEMA_H

#include <sqlite3.h>

int     cache_schema_migrate(sqlite3 *db);

#endif
