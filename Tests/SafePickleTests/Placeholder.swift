// SafePickleTests: placeholder.
