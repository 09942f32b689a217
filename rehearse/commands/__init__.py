"""One module per subcommand; each exposes one function returning an ExitCode."""
