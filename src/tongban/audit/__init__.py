"""audit (layer 2): the append-only, hash-chained trail of what happened (审计日志)."""
