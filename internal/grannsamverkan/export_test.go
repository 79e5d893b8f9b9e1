package grannsamverkan

// PendingKey is the record key of a resident's held invite, for tests that count reads.
const PendingKey = pendingKey
