"""The analyst-facing surface: settings, the ``credscope`` CLI and the review web app."""
