// SQLite's process-wide settings: sqlite3_config is variadic, which Swift cannot call.
#include <sqlite3.h>

/// Turns off SQLite's memory statistics, which take a process-wide mutex at every allocation.
/// Returns SQLITE_MISUSE (and changes nothing) once SQLite is initialised: call it before the
/// first connection opens.
static inline int ruralmap_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
