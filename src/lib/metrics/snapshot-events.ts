/**
 * The `method` of stage events that ingest derives from snapshot changes (an opportunity's
 * stage moved between two exports without a follow-up record saying so). They give the funnel
 * history, but they are nobody's follow-up: touch and follow-up counts leave them out.
 */
export const SNAPSHOT_METHOD = '快照对比';
