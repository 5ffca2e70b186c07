"""fluent-launch: edit a generated Fluent Bit config, then exec Fluent Bit with it."""

__version__ = "0.2.0"
