import ArgumentParser
import GridbookCLI
import GridbookCore

/// The `gridbook` executable: the command line and, with `serve`, the API server.
@main
enum Entry {
    /// Runs the command as ArgumentParser's own `main` does, except that a busy, full, read-only
    /// or failing database is said in one plain line (``StorageTrouble``), not as SQLite's error.
    static func main() async {
        do {
            var command = try Gridbook.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Gridbook.exit(withError: StorageTrouble(error) ?? error)
        }
    }
}
