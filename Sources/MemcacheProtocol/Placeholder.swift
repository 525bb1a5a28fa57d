// MemcacheProtocol: placeholder until the module lands.
