"""What the liveness rules (LK2xx) rely on: which connections count, how long they live, sockets, knobs and their values."""
