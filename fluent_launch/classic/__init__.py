"""The classic config format: parse it into a document of byte spans, edit it, follow its @INCLUDEs."""
