/** Ingest: MQTT messages in, committed store writes out. */
export { IngestPipeline, type IngestPipelineOptions, type BatchSink } from './pipeline.js';
export { IngestCounters, LAST_ERRORS_KEPT, type IngestCountersSnapshot, type IngestErrorEntry } from './counters.js';
export { GroupCommit } from './group-commit.js';
export { decodeMessage, isIngestKind, MAX_ID_LENGTH } from './decode-message.js';
export { ReceiptSender, type DevicePublish, type ReceiptCounters, type ReceiptSenderOptions, type ReceiptSink } from './receipt-sender.js';
