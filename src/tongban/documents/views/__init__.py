"""Web pages of official documents (公文): ``outgoing`` (the list and search, drafting, a
document with its current step, registers, sealing), ``incoming`` (the incoming register, 收文,
and reading, 传阅) and ``importing`` (existing documents)."""
