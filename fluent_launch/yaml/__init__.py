"""The YAML config format: read its syntax, parse what Fluent Bit makes of it, edit it, follow its includes."""
