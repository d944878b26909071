"""Official documents (公文) per GB/T 9704-2012: outgoing (发文) and incoming (收文) flows."""
