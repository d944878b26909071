"""identity (layer 2): accounts, sign-in, second factor, sessions and API tokens (统一身份认证)."""
