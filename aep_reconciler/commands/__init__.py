"""One module per subcommand, each defining register(subparsers); they never import each other."""
