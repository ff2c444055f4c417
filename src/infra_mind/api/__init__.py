"""The REST API: an app factory, routers per domain, dependencies and error mapping."""
