// Every bound the file tools keep, in one place: what a single call may read, write, list or return.

/** Largest file read_file / edit will load. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024
/** Lines read_file returns when no limit is given. */
export const DEFAULT_LINE_LIMIT = 2000
/** Longest line shown to the model; longer ones are cut with a marker. */
export const MAX_LINE_CHARS = 2000
/** Most text a single tool result sends to the model. */
export const MAX_RESULT_CHARS = 100_000
/** Largest content write_file accepts. */
export const MAX_WRITE_BYTES = 10 * 1024 * 1024
/** Most entries one workspace walk collects before it stops and says so. */
export const MAX_WALK_ENTRIES = 50_000
/** Most paths glob returns. */
export const MAX_GLOB_RESULTS = 100
/** Most matching lines search_file_content returns. */
export const MAX_SEARCH_MATCHES = 200
/** Most files read_many_files reads in one call. */
export const MAX_MANY_FILES = 50
/** How long one command in the sandbox may run for these tools. */
export const EXEC_TIMEOUT_MS = 60_000
