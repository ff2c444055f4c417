"""The results dashboard: loading a finished run and arranging it for the page."""
