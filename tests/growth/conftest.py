"""Growth past one server, against the real parts started by the tests on their own loopback ports:
S3-compatible storage (moto in server mode), a PostgreSQL primary with a streaming standby made by
`pg_basebackup -R`, and a backup restored into a fresh database and storage (make test-growth)."""
