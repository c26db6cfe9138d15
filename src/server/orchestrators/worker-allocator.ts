/**
 * The C library allocator's settings every worker process starts with, beneath the environment it is given (an
 * operator's own setting wins). glibc raises its mmap threshold each time a large block is freed, up to 32 MB; from
 * then on, blocks below it come from the heap arena and, once freed, stay in the process's resident set. A refresh
 * grows and frees typed arrays of megabytes, and at a million objects ended 15-25 MB larger than it needed, more so
 * after each refresh. A fixed threshold (128 KiB, where glibc starts) keeps large blocks mapped, returned when freed.
 * Other C libraries ignore the variable. The image sets the same for the workers the kubernetes orchestrator starts.
 */
export const WORKER_ALLOCATOR_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: String(128 * 1024) };
