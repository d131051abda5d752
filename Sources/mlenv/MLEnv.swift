// The root command. Wiring only: each subcommand lives in Commands/, logic in the library modules.
//
// Exit codes (DESIGN.md "Conventions"): 0 ok; 1 findings / unsatisfiable; 2 bad usage or
// unreadable input. Errors say their kind (ExitStatus.swift) and `main()` maps kinds to codes
// here, once: swift-argument-parser would use 64 (EX_USAGE) for usage errors and 1 for others.

import ArgumentParser
import Emit
import Glibc

@main
struct MLEnv: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlenv",
        abstract: "Work out, lock and ship the exact environment an MLflow model needs for a deployment.",
        discussion: """
            mlenv reads an MLflow model directory (MLmodel, conda.yaml, python_env.yaml, \
            requirements.txt), adds what the inference server needs for a deployment type, \
            solves conda and pip requirements together against local mirrors, and emits lock \
            files, a Dockerfile and an offline bundle.

            Exit codes: 0 success, 1 findings or unsatisfiable, 2 bad usage or unreadable input.
            """,
        version: MLEnvVersion.current,
        subcommands: [
            InspectCommand.self, ResolveCommand.self, LockCommand.self, DockerfileCommand.self, AzureMLCommand.self,
            PackageCommand.self, ProfilesCommand.self, SearchCommand.self, ChannelsCommand.self, MirrorCommand.self,
            ValidateCommand.self, SpecCommand.self, LintCommand.self, CacheCommand.self
        ]
    )

    static func main() async {
        do {
            var command = try parseSubcommandOrRoot(CommandLine.arguments.dropFirst())
            // Compared by type, not cast to the protocol: the first protocol cast of a type scans
            // every conformance record of every loaded library (a fraction of a millisecond).
            let isAsync = asyncCommands.contains { ObjectIdentifier($0) == ObjectIdentifier(type(of: command)) }
            if isAsync, var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withMappedError: error)
        }
    }

    /// The commands whose `run` is async.
    static let asyncCommands: [ParsableCommand.Type] = [MLEnv.self, MirrorCommand.self, PackageCommand.self]

    /// `mlenv SUBCOMMAND ARGS` parsed by the subcommand alone: swift-argument-parser then
    /// reflects over that command's arguments only, not the whole command tree, and skips its
    /// completion-script check (the subcommands name `mlenv` as their super command), about 1.5
    /// of the ~25 ms a warm resolve takes. Help and version requests, and anything this parse does
    /// not accept, go through the root parse, so that every message reads exactly as before.
    private static func parseSubcommandOrRoot(_ arguments: ArraySlice<String>) throws -> ParsableCommand {
        let helpOrVersion: Set<String> = [
            "-h", "--help", "help", "--version", "--experimental-dump-help", "--generate-completion-script"
        ]
        if let name = arguments.first,
            let subcommand = configuration.subcommands.first(where: { $0.configuration.commandName == name }),
            !arguments.contains(where: { helpOrVersion.contains($0) || $0.hasPrefix("--generate-completion-script=") }),
            let command = try? subcommand.parseAsRoot(Array(arguments.dropFirst()))
        {
            return command
        }
        return try parseAsRoot(Array(arguments))
    }

    private static func exit(withMappedError error: Error) -> Never {
        Glibc.exit(report(error))
    }

    /// Writes what the user must hear about `error` and returns the exit code.
    static func report(_ error: Error) -> Int32 {
        if let code = error as? ExitCode { return code.rawValue }
        if let reported = error as? ReportedFailure { return ExitStatus.code(for: reported.failureKind) }
        let code = exitCode(for: error)
        if code == .success {
            // --help, --version
            print(fullMessage(for: error))
            return ExitStatus.success
        }
        if code == .validationFailure {
            let message = fullMessage(for: error)
            StandardError.write(message.hasSuffix("\n") ? message : message + "\n")
            return ExitStatus.code(for: .badInput)
        }
        // Our own errors describe themselves (file:line:column: what is wrong).
        StandardError.write("error: \(String(describing: error))\n")
        return ExitStatus.code(for: error)
    }
}

enum MLEnvVersion {
    static let current = MLEnvGenerator.version
}
