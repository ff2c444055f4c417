"""The assessment wizard: steps, form fields, drafts as YAML, typical values."""
