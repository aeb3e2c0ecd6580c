/** The pipeline's step names in order, as each ingest item records them. */
export const INGEST_STEP_NAMES = ['identify', 'unpack', 'parse', 'verify', 'normalise', 'store', 'dedupe', 'record', 'index'];
