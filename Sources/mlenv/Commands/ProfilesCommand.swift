import ArgumentParser
import Deploy
import JSON

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the deployment profiles and what each adds to a model's environment.",
        discussion: """
            A profile says which packages the inference server of a deployment type needs, the \
            base image, environment variables, port and entrypoint. They are data (YAML) shipped \
            with mlenv; `--profile-file` on resolve/lock uses your own.

            Examples:
              mlenv profiles
              mlenv profiles --format json
            """
    ).underMLEnv()

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    func run() throws {
        let profiles: [Profile]
        do { profiles = try Profiles.all() } catch { throw CommandError(error.description) }
        switch format {
        case .json:
            StandardOutput.write(JSONValue.array(profiles.map(ProfileReport.json)).serialized(pretty: true) + "\n")
        case .text:
            StandardOutput.write(profiles.map(ProfileReport.text).joined(separator: "\n"))
        }
    }
}
