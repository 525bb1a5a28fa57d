// MemcacheProtocolTests: placeholder.
