"""The GitOps back end: render, check, diff, preview and promote the stages, and the CLI."""
