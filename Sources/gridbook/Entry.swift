import ArgumentParser
import GridbookCLI

/// The `gridbook` executable: the command line and, with `serve`, the API server.
/// (`@main` on the asynchronous root command, so that ArgumentParser runs it asynchronously.)
@main
extension Gridbook {}
