// MemcacheClient: placeholder until the module lands.
