// SafePickle: placeholder until the module lands.
