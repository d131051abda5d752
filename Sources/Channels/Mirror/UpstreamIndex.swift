// Where the upstream PyPI index is. mlenv never writes a registry's address into its code or
// files: it takes `--index-url`, else PIP_INDEX_URL, else pip's configuration, else asks the
// installed pip for its default (`PyPI.simple_url`).

import Basics
import FoundationEssentials
import Specs

public enum UpstreamIndex {
    /// `environment`: the variables read (PIP_INDEX_URL) and given to pip (its configuration).
    public static func discover(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ChannelError) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["PIP_INDEX_URL"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        if let configured = run(["-m", "pip", "config", "get", "global.index-url"], environment: environment),
            !configured.isEmpty
        {
            return configured
        }
        if let fallback = run(
            ["-c", "from pip._internal.models.index import PyPI; print(PyPI.simple_url)"], environment: environment),
            !fallback.isEmpty
        {
            return fallback
        }
        throw ChannelError(
            "no upstream index: pass --index-url, set PIP_INDEX_URL, or install pip so mlenv can ask it for its default"
        )
    }

    /// Runs python3 with arguments; its trimmed stdout when it exits 0.
    private static func run(_ arguments: [String], environment: [String: String]) -> String? {
        guard
            let python = try? ChildProcess.run(
                "/usr/bin/env", arguments: ["python3"] + arguments, environment: environment,
                standardError: .discard),
            python.status == 0
        else { return nil }
        return String(decoding: python.output, as: UTF8.self).trimmingWhitespaceAndNewlines()
    }
}
