"""Settings modules: ``base`` (default), ``production`` (behind TLS) and ``test``."""
