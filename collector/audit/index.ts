/** The tamper-evident audit trail: its hash chain's rules and `faultline audit verify`. */
export { auditHash, ChainVerifier, GENESIS_HASH } from './audit-chain.js';
export { auditCommand, AUDIT_USAGE, type AuditIo } from './cli.js';
