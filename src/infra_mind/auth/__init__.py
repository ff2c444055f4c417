"""Authentication primitives without a database: passwords, tokens, API keys, secret, rate limits."""
