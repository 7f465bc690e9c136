/** Sessions the lab server opens at most unless told otherwise (--max-sessions, SIDECAR_LABS_MAX_SESSIONS). */
export const DEFAULT_MAX_SESSIONS = 50;
