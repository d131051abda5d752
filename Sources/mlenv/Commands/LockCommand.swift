import ArgumentParser
import Emit

struct LockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Resolve a model for a deployment and write lock files.",
        discussion: """
            Writes to DIR: conda-lock.yml (conda-lock's unified v1 format: conda and pip entries \
            with hashes and dependencies), conda-linux-64.lock (@EXPLICIT, URLs with md5), \
            requirements.lock.txt (== pins with --hash=sha256:) and environment.yml (fully pinned). \
            File URLs of local mirrors are relative to the mirror root. The same inputs give the \
            same bytes. Existing different files are not overwritten without --force.

            Exit codes: 0 written, 1 unsatisfiable (nothing written), 2 bad input.

            Examples:
              mlenv lock fixtures/models/sklearn-conda --deployment azureml-online -o locks/
              mlenv lock path/to/model --deployment mlflow-serve --env-manager virtualenv -o out --force
            """
    ).underMLEnv()

    @OptionGroup var subject: ModelForDeployment

    @Option(name: .shortAndLong, help: ArgumentHelp("The directory to write the lock files to.", valueName: "dir"))
    var output: String

    @Flag(help: "Overwrite existing files that differ.")
    var force = false

    func run() throws {
        let resolved = try subject.resolve()
        do { try OutputFiles.write(LockFiles.render(resolved.lock), to: output, force: force) } catch {
            throw CommandError(error.message)
        }
        StandardError.write(
            "wrote \(LockFiles.names.map { "\(output)/\($0)" }.joined(separator: ", ")) (\(resolved.resolution.packages.count) packages)\n"
        )
    }
}
