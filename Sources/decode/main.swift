// decode: NDJSON records from memcached dumps (see DecodeCommand and docs/records.md).
DecodeCommand.main()
