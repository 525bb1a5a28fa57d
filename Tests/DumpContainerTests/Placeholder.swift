// DumpContainerTests: placeholder.
