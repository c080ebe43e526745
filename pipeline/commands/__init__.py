"""One module per pipeline command: add_parser(subparsers, common) and run(args) -> exit code."""
