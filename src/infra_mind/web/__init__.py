"""The server-rendered web UI: Jinja2 pages, htmx for partial updates and live progress, no build step."""
