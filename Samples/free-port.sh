# Samples/free-port.sh: sourced by the sample makers. free_port PORT prints PORT when it can be bound on
# 127.0.0.1 (SO_REUSEADDR, as memcached binds, so connections in TIME_WAIT do not count), else any free port.
free_port() {
  python3 -c 'import socket,sys
for p in [int(sys.argv[1]), 0]:
    try:
        s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",p)); print(s.getsockname()[1]); break
    except OSError: pass' "$1"
}
