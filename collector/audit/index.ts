/** The audit log's command line: `faultline audit verify`. */
export { auditCommand, AUDIT_USAGE, type AuditIo } from './cli.js';
