// DumpContainer: placeholder until the module lands.
