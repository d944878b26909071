"""What every entry point shares (layer 1): service errors onto forms, not-found and refusal
pages, downloads, RFC 9457 problem responses, pagination and ``Idempotency-Key``.

Each app's ``views.py`` and ``api.py`` build on these; none of them knows a domain.
"""
